import type { Knex } from "knex";
import { fromDbTime } from "../../server/core/db/convert.js";
import { WorkQueue } from "../../server/core/work/work-queue.js";

/** One person waiting for the overnight batch. */
export type QueueEntry = {
  userId: number;
  printerId: number | null;
  jobId: number | null;
  queuedBy: string | null;
  queuedAt: string;
};

type Row = {
  user_id: number;
  printer_id: number | null;
  job_id: number | null;
  queued_by: string | null;
  queued_at: number | string;
};
const toEntry = (r: Row): QueueEntry => ({
  userId: Number(r.user_id),
  printerId: r.printer_id === null ? null : Number(r.printer_id),
  jobId: r.job_id === null ? null : Number(r.job_id),
  queuedBy: r.queued_by,
  queuedAt: fromDbTime(r.queued_at) as string,
});

/** Queues people (again: a new choice of printer replaces the old one, unless a batch job holds them). */
export async function enqueue(db: Knex, userIds: number[], printerId: number | null, by: string, now: number): Promise<void> {
  for (let i = 0; i < userIds.length; i += 200) {
    const rows = userIds
      .slice(i, i + 200)
      .map((id) => ({ user_id: id, printer_id: printerId, job_id: null, queued_by: by.slice(0, 191), queued_at: now }));
    await db("print_queue").insert(rows).onConflict("user_id").merge(["printer_id"]);
  }
}

export async function remove(db: Knex, userId: number): Promise<boolean> {
  return Number(await db("print_queue").where({ user_id: userId }).delete()) === 1;
}

export async function entryFor(db: Knex, userId: number): Promise<QueueEntry | null> {
  const row = await db("print_queue").where({ user_id: userId }).first();
  return row ? toEntry(row) : null;
}

/** The print queue as a work queue: a batch run holds the people it is planning. */
export const overnightQueue = (db: Knex) =>
  new WorkQueue(db, {
    name: "print-queue",
    table: "print_queue",
    key: "user_id",
    owner: "lease_owner",
    expires: "lease_expires_at",
  });

/**
 * Claims everyone waiting that no batch job and no other run holds, oldest first: two runs
 * at once (instances, the schedule and the button) never plan the same person.
 */
export async function claimWaiting(q: WorkQueue, leaseMs: number): Promise<{ token: string; entries: QueueEntry[] }> {
  const claim = await q.claim({
    ready: (w) => void w.whereNull("job_id"),
    orderBy: [{ column: "queued_at" }, { column: "user_id" }],
    leaseMs,
  });
  return { token: claim.token, entries: (claim.rows as Row[]).map(toEntry) };
}

/** Ties claimed people to the batch job that prints them and lets go of them; false when the claim lost one. */
export async function attachClaimed(q: WorkQueue, trx: Knex, token: string, userIds: number[], jobId: number): Promise<boolean> {
  return (await q.finishMany(token, userIds, { job_id: jobId }, trx)) === userIds.length;
}

/** The people no batch job holds yet, oldest first. */
export async function waiting(db: Knex): Promise<QueueEntry[]> {
  return (await db("print_queue").whereNull("job_id").orderBy("queued_at").orderBy("user_id")).map(toEntry);
}

export async function countWaiting(db: Knex): Promise<number> {
  const row = await db("print_queue").whereNull("job_id").count({ n: "*" }).first();
  return Number(row?.n ?? 0);
}

/** A batch job failed or was canceled: its people wait for the next night. */
export async function detach(db: Knex, jobId: number): Promise<void> {
  await db("print_queue").where({ job_id: jobId }).update({ job_id: null });
}

/** People whose letter printed (or who no longer need one) leave the queue. */
export async function removeUsers(db: Knex, userIds: number[]): Promise<void> {
  for (let i = 0; i < userIds.length; i += 500)
    await db("print_queue")
      .whereIn("user_id", userIds.slice(i, i + 500))
      .delete();
}
