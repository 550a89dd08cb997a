import type { Knex } from "knex";
import { fromDbJson, fromDbTime, nowMs, toDbJson } from "../../server/core/db/convert.js";
import { WorkQueue } from "../../server/core/work/work-queue.js";

/**
 * `unconfirmed`: the printer took the document and can no longer say whether it printed
 * (it restarted, or forgot the job): the front desk decides ("Print again" or "Mark as
 * printed"); nothing is sent again on its own.
 */
export const JOB_STATUSES = ["queued", "processing", "completed", "failed", "canceled", "unconfirmed"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const FINAL_STATUSES: readonly JobStatus[] = ["completed", "failed", "canceled"];
/** Nothing more happens to these without someone: final, or waiting for the front desk. */
export const SETTLED_STATUSES: readonly JobStatus[] = [...FINAL_STATUSES, "unconfirmed"];
export type JobKind = "now" | "batch";

export type JobRow = {
  id: number;
  printer_id: number | null;
  printer_name: string;
  kind: string;
  batch_id: number | null;
  job_number: number;
  job_count: number;
  status: string;
  letters: number;
  attempts: number;
  next_attempt_at: number | string | null;
  claimed_by: string | null;
  claim_expires_at: number | string | null;
  phase: string | null;
  attempt_name: string | null;
  printer_job_id: string | null;
  printer_state: string | null;
  error: string | null;
  created_by: string | null;
  created_at: number | string;
  updated_at: number | string;
  completed_at: number | string | null;
  attempt_sent_at: number | string | null;
  printer_seen_at: number | string | null;
  printer_boot_at: number | string | null;
};

/** A print job as the API and the pages show it. */
export type PrintJob = {
  id: number;
  status: JobStatus;
  printerId: number | null;
  printerName: string;
  kind: JobKind;
  batchId: number | null;
  jobNumber: number;
  jobCount: number;
  letters: number;
  attempts: number;
  nextAttemptAt: string | null;
  /** The printer's own id for the job, once it accepted it. */
  printerJobId: string | null;
  /** The job's state at the printer (pending, processing, completed, …) as last seen. */
  printerState: string | null;
  error: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
};

export const toJob = (r: JobRow): PrintJob => ({
  id: Number(r.id),
  status: r.status as JobStatus,
  printerId: r.printer_id === null ? null : Number(r.printer_id),
  printerName: r.printer_name,
  kind: r.kind as JobKind,
  batchId: r.batch_id === null ? null : Number(r.batch_id),
  jobNumber: Number(r.job_number),
  jobCount: Number(r.job_count),
  letters: Number(r.letters),
  attempts: Number(r.attempts),
  nextAttemptAt: r.status === "queued" ? fromDbTime(r.next_attempt_at) : null,
  printerJobId: r.printer_job_id,
  printerState: r.printer_state,
  error: r.error,
  createdBy: r.created_by,
  createdAt: fromDbTime(r.created_at) as string,
  updatedAt: fromDbTime(r.updated_at) as string,
  completedAt: fromDbTime(r.completed_at),
});

export type NewJob = {
  printerId: number;
  printerName: string;
  kind: JobKind;
  batchId: number | null;
  jobNumber: number;
  jobCount: number;
  userIds: number[];
  createdBy: string | null;
  now: number;
};

export async function insertJob(db: Knex, j: NewJob): Promise<number> {
  const [id] = await db("print_jobs").insert({
    printer_id: j.printerId,
    printer_name: j.printerName.slice(0, 100),
    kind: j.kind,
    batch_id: j.batchId,
    job_number: j.jobNumber,
    job_count: j.jobCount,
    status: "queued",
    letters: j.userIds.length,
    attempts: 0,
    next_attempt_at: j.now,
    created_by: j.createdBy?.slice(0, 191) ?? null,
    created_at: j.now,
    updated_at: j.now,
  });
  const jobId = Number(id);
  const rows = j.userIds.map((userId, position) => ({ job_id: jobId, user_id: userId, position }));
  for (let i = 0; i < rows.length; i += 200) await db("print_job_people").insert(rows.slice(i, i + 200));
  return jobId;
}

export const findJob = (db: Knex, id: number): Promise<JobRow | undefined> => db("print_jobs").where({ id }).first();

export async function jobPeople(db: Knex, jobId: number): Promise<number[]> {
  const rows: Array<{ user_id: number }> = await db("print_job_people")
    .where({ job_id: jobId })
    .orderBy("position")
    .select("user_id");
  return rows.map((r) => Number(r.user_id));
}

export async function listJobs(db: Knex, filter: { batchId?: number; limit?: number; userId?: number } = {}): Promise<JobRow[]> {
  const q = db("print_jobs")
    .select("print_jobs.*")
    .orderBy("print_jobs.id", "desc")
    .limit(filter.limit ?? 50);
  if (filter.batchId) q.where({ batch_id: filter.batchId });
  if (filter.userId) q.whereIn("id", db("print_job_people").where({ user_id: filter.userId }).select("job_id"));
  return q;
}

/** The unfinished jobs, oldest first: each printer's queue in order. */
export const unfinishedJobs = (db: Knex, limit = 500): Promise<JobRow[]> =>
  db("print_jobs").whereIn("status", ["queued", "processing"]).orderBy("id", "asc").limit(limit);

export async function countActiveForPrinter(db: Knex, printerId: number): Promise<number> {
  const row = await db("print_jobs")
    .where({ printer_id: printerId })
    .whereIn("status", ["queued", "processing"])
    .count({ n: "*" })
    .first();
  return Number(row?.n ?? 0);
}

/** The print jobs as a work queue: a job being handled is held by the instance sending or following it. */
export const jobsQueue = (db: Knex) =>
  new WorkQueue(db, { name: "print-jobs", table: "print_jobs", key: "id", owner: "claimed_by", expires: "claim_expires_at" });

/**
 * Takes the job when it is due (queued) or unfinished and nobody holds it any more (an
 * instance died or stopped: it is reconciled with the printer). The claim's token, or null.
 */
export async function claim(queue: WorkQueue, id: number, leaseMs: number): Promise<string | null> {
  const now = nowMs();
  const claimed = await queue.claim({
    keys: [id],
    leaseMs,
    ready: (q) =>
      void q.where((w) =>
        w.where((d) => d.where({ status: "queued" }).andWhere("next_attempt_at", "<=", now)).orWhere({ status: "processing" }),
      ),
    set: { status: "processing", updated_at: now },
  });
  return claimed.rows.length ? claimed.token : null;
}

/** Updates the job only while this claim holds it; false when it was taken over. */
export function updateClaimed(
  queue: WorkQueue,
  id: number,
  token: string,
  changes: Record<string, unknown>,
  trx?: Knex,
): Promise<boolean> {
  return queue.update(token, id, changes, trx);
}

/** One entry of a job's history: what was decided and on what evidence. */
export type HistoryEntry = {
  at: string;
  kind: string;
  summary: string;
  evidence: Record<string, unknown> | null;
  actor: string | null;
};

export async function addHistory(
  db: Knex,
  jobId: number,
  entry: { kind: string; summary: string; evidence?: Record<string, unknown>; actor?: string | null },
): Promise<void> {
  await db("print_job_history").insert({
    job_id: jobId,
    at: nowMs(),
    kind: entry.kind.slice(0, 32),
    summary: entry.summary.slice(0, 500),
    evidence: entry.evidence ? toDbJson(entry.evidence) : null,
    actor: entry.actor?.slice(0, 191) ?? null,
  });
}

export async function history(db: Knex, jobId: number): Promise<HistoryEntry[]> {
  const rows: Array<Record<string, unknown>> = await db("print_job_history").where({ job_id: jobId }).orderBy("id");
  return rows.map((r) => ({
    at: fromDbTime(r.at) as string,
    kind: String(r.kind),
    summary: String(r.summary),
    evidence: fromDbJson<Record<string, unknown> | null>(r.evidence, null),
    actor: (r.actor as string | null) ?? null,
  }));
}

/** The jobs waiting for the front desk's decision (the printer could not tell whether they printed). */
export const unconfirmedJobs = (db: Knex): Promise<JobRow[]> =>
  db("print_jobs").where({ status: "unconfirmed" }).orderBy("id", "asc").limit(200);
