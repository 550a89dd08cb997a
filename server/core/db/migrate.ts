import type { Knex } from "knex";
import { migrationSource } from "../../../migrations/index.js";

/** Applies pending migrations; returns the names applied. Knex's lock keeps concurrent starts safe. */
export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}

export async function migrationStatus(db: Knex): Promise<{ applied: string[]; pending: string[] }> {
  const [applied, pending] = (await db.migrate.list({ migrationSource })) as [
    Array<{ name: string } | string>,
    Array<string | { file: string }>,
  ];
  const name = (m: unknown) =>
    typeof m === "string" ? m : ((m as { name?: string; file?: string }).name ?? (m as { file: string }).file);
  return { applied: applied.map(name), pending: pending.map(name) };
}
