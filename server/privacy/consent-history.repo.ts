import type { Knex } from "knex";
import { fromDbBool, fromDbTime } from "../core/db/convert.js";

export type ConsentRow = {
  id: number;
  phone_consent: unknown;
  phone_consent_at: number | string | null;
  phone_consent_by: string | null;
};

export type ConsentChangeRow = {
  user_id: number;
  kind: string;
  granted: number;
  at: number;
  actor_label: string;
  via: string;
};

/**
 * The people of an import, and their current consent: read from the people's table on
 * purpose (the history compares what the row holds now with its last recorded step).
 */
export async function userIdsOfImport(db: Knex, importId: number): Promise<number[]> {
  const ids: Array<{ id: number }> = await db("users").where({ import_id: importId }).select("id");
  return ids.map((r) => Number(r.id));
}

export async function currentConsent(db: Knex, userIds: number[]): Promise<ConsentRow[]> {
  return db("users").whereIn("id", userIds).select("id", "phone_consent", "phone_consent_at", "phone_consent_by");
}

/** The last recorded step of each person: granted or not. */
export async function lastRecorded(db: Knex, userIds: number[]): Promise<Map<number, boolean>> {
  const lastIds = db("consent_changes").whereIn("user_id", userIds).groupBy("user_id").max({ id: "id" });
  const last: Array<{ user_id: number; granted: unknown }> = await db("consent_changes")
    .whereIn("id", lastIds)
    .select("user_id", "granted");
  return new Map(last.map((r) => [Number(r.user_id), fromDbBool(r.granted)]));
}

export async function insertChanges(db: Knex, rows: ConsentChangeRow[]): Promise<void> {
  await db("consent_changes").insert(rows);
}

/** The person's consent changes, oldest first. */
export async function changesOf(db: Knex, userId: number) {
  const rows = await db("consent_changes").where({ user_id: userId }).orderBy("id", "asc");
  return rows.map((r: Record<string, unknown>) => ({
    granted: fromDbBool(r.granted),
    at: fromDbTime(r.at as number) as string,
    by: String(r.actor_label),
    via: r.via as string,
  }));
}
