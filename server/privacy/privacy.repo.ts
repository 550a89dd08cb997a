import type { Knex } from "knex";

/**
 * SQLite only: copies the WAL into the database and empties it, so that no earlier version
 * of an erased or deleted page stays in it. False while a reader holds it (try again).
 */
export async function truncateWal(db: Knex): Promise<boolean> {
  const rows = (await db.raw("PRAGMA wal_checkpoint(TRUNCATE)")) as Array<{ busy: number }>;
  return !rows[0]?.busy;
}
