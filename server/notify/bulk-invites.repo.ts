import type { Knex } from "knex";
import { fromDbJson, toDbJson } from "../core/db/convert.js";
import type { Actor } from "../core/events.js";
import { WorkQueue } from "../core/work/work-queue.js";

export type BulkTarget = { ids: number[] } | { groupId: number } | { all: true };
export type BulkState = "running" | "done" | "failed";

export type BulkRun = {
  id: number;
  target: BulkTarget;
  actor: Actor;
  state: BulkState;
  afterUserId: number;
  queued: number;
  refused: number;
  attempts: number;
  lastError: string | null;
  createdAt: number;
  finishedAt: number | null;
};

type Row = Record<string, unknown>;

const toRun = (r: Row): BulkRun => ({
  id: Number(r.id),
  target: fromDbJson<BulkTarget>(r.target, { ids: [] }),
  actor: fromDbJson<Actor>(r.actor, { type: "system", id: null, label: "system", ip: null }),
  state: r.state as BulkState,
  afterUserId: Number(r.after_user_id),
  queued: Number(r.queued),
  refused: Number(r.refused),
  attempts: Number(r.attempts),
  lastError: (r.last_error as string | null) ?? null,
  createdAt: Number(r.created_at),
  finishedAt: r.finished_at === null || r.finished_at === undefined ? null : Number(r.finished_at),
});

/** The runs as a work queue: a running run is held by the instance working on it. */
export const runsQueue = (db: Knex) =>
  new WorkQueue(db, { name: "bulk-invites", table: "bulk_invites", key: "id", owner: "owner", expires: "lease_expires_at" });

/** A new run, held by the claim `token` from the start (the run's first claim is its start). */
export async function insertRun(
  db: Knex,
  target: BulkTarget,
  actor: Actor,
  token: string,
  leaseMs: number,
  now: number,
): Promise<BulkRun> {
  const row = {
    target: toDbJson(target),
    actor: toDbJson(actor),
    state: "running",
    after_user_id: 0,
    queued: 0,
    refused: 0,
    attempts: 1,
    owner: token,
    lease_expires_at: now + leaseMs,
    heartbeat_at: now,
    last_error: null,
    created_at: now,
    finished_at: null,
  };
  const [id] = await db("bulk_invites").insert(row);
  return toRun({ ...row, id });
}

/**
 * Takes over the running runs nobody holds (let go of by a stop) or whose holder's lease ran
 * out (it died): of several instances, one gets each.
 */
export async function claimStale(queue: WorkQueue, leaseMs: number): Promise<{ token: string; runs: BulkRun[] }> {
  const claim = await queue.claim({
    ready: (q) => void q.where({ state: "running" }),
    orderBy: [{ column: "id" }],
    leaseMs,
    set: { attempts: queue.raw("?? + 1", ["attempts"]) },
  });
  return { token: claim.token, runs: claim.rows.map(toRun) };
}

/** Records progress and renews the lease; false when another instance has taken the run over (this one then stops). */
export function advance(
  queue: WorkQueue,
  id: number,
  token: string,
  progress: { afterUserId: number; queued: number; refused: number },
  leaseMs: number,
  now: number,
): Promise<boolean> {
  return queue.update(token, id, {
    after_user_id: progress.afterUserId,
    queued: progress.queued,
    refused: progress.refused,
    heartbeat_at: now,
    lease_expires_at: now + leaseMs,
  });
}

export async function finish(
  queue: WorkQueue,
  id: number,
  token: string,
  state: "done" | "failed",
  error: string | null,
  now: number,
) {
  await queue.finish(token, id, { state, last_error: error, finished_at: now, heartbeat_at: now });
}

/** Lets go of a run that is not finished: any instance may resume it at once. */
export async function release(queue: WorkQueue, id: number, token: string, error: string | null) {
  await queue.release(token, [id], { last_error: error });
}

/** The newest runs, for the Deliveries page. */
export async function recentRuns(db: Knex, limit: number): Promise<BulkRun[]> {
  const rows: Row[] = await db("bulk_invites").orderBy("id", "desc").limit(limit);
  return rows.map(toRun);
}
