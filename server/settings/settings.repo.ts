import type { Knex } from "knex";
import { fromDbJson, toDbJson } from "../core/db/convert.js";

/** Stored settings by key (JSON values decoded; null where unreadable): every key, or those given. */
export async function readEntries(db: Knex, keys?: string[]): Promise<Record<string, unknown>> {
  const query = db("settings");
  if (keys) query.whereIn("key", keys);
  const rows: Array<{ key: string; value: string }> = await query.select("key", "value");
  return Object.fromEntries(rows.map((r) => [r.key, fromDbJson(r.value, null)]));
}

export async function upsertEntry(db: Knex, key: string, value: unknown, now: number): Promise<void> {
  await db("settings")
    .insert({ key, value: toDbJson(value), updated_at: now })
    .onConflict("key")
    .merge();
}
