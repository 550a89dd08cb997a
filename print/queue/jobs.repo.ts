import type { Knex } from "knex";
import { fromDbJson, fromDbTime, nowMs, toDbJson } from "../../server/core/db/convert.js";
import { WorkQueue } from "../../server/core/work/work-queue.js";
import type { HistoryEntry, JobKind, JobStatus, PlannedCover, PlannedLetter, PrintJob } from "./print-jobs.types.js";

export type { HistoryEntry, PrintJob } from "./print-jobs.types.js";

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
  cover: string | null;
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
  /** The letters in printing order, with the words each carries. */
  letters: PlannedLetter[];
  /** A batch job's cover sheet; null: none. */
  cover: PlannedCover | null;
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
    letters: j.letters.length,
    attempts: 0,
    next_attempt_at: j.now,
    created_by: j.createdBy?.slice(0, 191) ?? null,
    created_at: j.now,
    updated_at: j.now,
    cover: j.cover ? toDbJson({ ...j.cover, createdAt: j.cover.createdAt.getTime() }) : null,
  });
  const jobId = Number(id);
  const rows = j.letters.map((l, position) => ({
    job_id: jobId,
    user_id: l.userId,
    position,
    first_name: l.firstName,
    last_name: l.lastName,
    department: l.department,
    site: l.site,
    language: l.language,
  }));
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

/** The job's letters as planned, in printing order. */
export async function jobLetters(db: Knex, jobId: number): Promise<PlannedLetter[]> {
  const rows: Array<Record<string, unknown>> = await db("print_job_people")
    .where({ job_id: jobId })
    .orderBy("position")
    .select("user_id", "first_name", "last_name", "department", "site", "language");
  return rows.map((r) => ({
    userId: Number(r.user_id),
    firstName: (r.first_name as string | null) ?? "",
    lastName: (r.last_name as string | null) ?? "",
    department: (r.department as string | null) ?? null,
    site: (r.site as string | null) ?? null,
    language: (r.language as string | null) ?? "en",
  }));
}

/** A batch job's cover sheet as planned; null for a job without one. */
export function coverOf(row: JobRow): PlannedCover | null {
  const stored = fromDbJson<(Omit<PlannedCover, "createdAt"> & { createdAt: number }) | null>(row.cover, null);
  return stored ? { ...stored, createdAt: new Date(Number(stored.createdAt)) } : null;
}

/** People who no longer need their letter leave the job (the others keep their positions). */
export async function removeFromJob(db: Knex, jobId: number, userIds: number[]): Promise<void> {
  for (let i = 0; i < userIds.length; i += 500)
    await db("print_job_people")
      .where({ job_id: jobId })
      .whereIn("user_id", userIds.slice(i, i + 500))
      .delete();
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

/** How many jobs of a batch are not final yet (queued or processing). */
export async function countOpenInBatch(db: Knex, batchId: number): Promise<number> {
  const row = await db("print_jobs")
    .where({ batch_id: batchId })
    .whereIn("status", ["queued", "processing"])
    .count({ n: "*" })
    .first();
  return Number(row?.n ?? 0);
}

/** Cancels the job when it is queued and has never gone out (no phase); false otherwise. */
export async function cancelQueued(db: Knex, id: number, error: string, now: number): Promise<boolean> {
  const n = await db("print_jobs")
    .where({ id, status: "queued" })
    .whereNull("phase")
    .update({ status: "canceled", updated_at: now, completed_at: now, error: error.slice(0, 500) });
  return Number(n) === 1;
}

/**
 * The front desk's decision on an unconfirmed job: "reprint" queues it again as new
 * attempts, "printed" records it as printed. False when the job is not unconfirmed.
 */
export async function decideUnconfirmed(db: Knex, id: number, decision: "reprint" | "printed", now: number): Promise<boolean> {
  const changes =
    decision === "reprint"
      ? {
          status: "queued",
          phase: null,
          printer_job_id: null,
          printer_state: null,
          attempts: 0,
          next_attempt_at: now,
          error: null,
        }
      : { status: "completed", completed_at: now, next_attempt_at: null, error: null };
  const n = await db("print_jobs")
    .where({ id, status: "unconfirmed" })
    .update({ ...changes, updated_at: now });
  return Number(n) === 1;
}

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

/** For /metrics: print jobs by state (every instance reads the same rows). */
export async function countByState(db: Knex) {
  const rows = (await db("print_jobs").select("status").count({ n: "*" }).groupBy("status")) as Array<Record<string, unknown>>;
  return rows.map((r) => ({ state: String(r.status), n: Number(r.n) }));
}

/** Letters (one page each) in completed print jobs, by printer name. */
export async function lettersPrintedByPrinter(db: Knex) {
  const rows = (await db("print_jobs")
    .where({ status: "completed" })
    .select("printer_name")
    .sum({ n: "letters" })
    .groupBy("printer_name")) as Array<Record<string, unknown>>;
  return rows.map((r) => ({ printer: String(r.printer_name), n: Number(r.n ?? 0) }));
}
