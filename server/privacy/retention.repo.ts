import type { Knex } from "knex";

const CHUNK = 1000;

/**
 * Deletes, a chunk at a time, the rows of `table` that `where` selects: one long delete
 * would hold SQLite's only writer (and InnoDB's locks) for the whole history.
 */
async function deleteInChunks(db: Knex, table: string, where: (q: Knex.QueryBuilder) => Knex.QueryBuilder): Promise<number> {
  let total = 0;
  for (;;) {
    const rows: Array<{ id: number }> = await where(db(table)).orderBy("id", "asc").limit(CHUNK).select("id");
    if (!rows.length) return total;
    total += Number(
      await db(table)
        .whereIn(
          "id",
          rows.map((r) => r.id),
        )
        .delete(),
    );
    if (rows.length < CHUNK) return total;
  }
}

export const pruneAudit = (db: Knex, before: number) => deleteInChunks(db, "audit_log", (q) => q.where("at", "<", before));

/** Finished print jobs (their people go with them by the foreign key), then the batches that ended before. */
export async function prunePrintHistory(db: Knex, before: number): Promise<number> {
  const jobs = await deleteInChunks(db, "print_jobs", (q) =>
    q.whereIn("status", ["completed", "failed", "canceled"]).where("updated_at", "<", before),
  );
  await deleteInChunks(db, "print_batches", (q) => q.whereNotNull("finished_at").where("finished_at", "<", before));
  return jobs;
}

/**
 * The kiosk history: who was shown on which screen. The screens' own entries go when their
 * display time ends; what stays is the audit trail's kiosk entries (and an entry a stopped
 * process left behind), kept for less time than the rest of the trail.
 */
export async function pruneKioskHistory(db: Knex, before: number): Promise<number> {
  const shown = await deleteInChunks(db, "audit_log", (q) =>
    q.whereIn("action", ["kiosk.display", "kiosk.entry.removed"]).where("at", "<", before),
  );
  const left = await deleteInChunks(db, "kiosk_entries", (q) =>
    q
      .whereNotNull("expires_at")
      .where("expires_at", "<", before)
      .where((w) => w.whereNull("welcome_until").orWhere("welcome_until", "<", before)),
  );
  return shown + left;
}
