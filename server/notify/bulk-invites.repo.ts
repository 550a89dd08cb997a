import type { Knex } from "knex";
import { fromDbJson, toDbJson } from "../db/convert.js";
import type { Actor } from "../events.js";

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

/** A new run, owned by `owner` from the start. */
export async function insertRun(db: Knex, target: BulkTarget, actor: Actor, owner: string, now: number): Promise<BulkRun> {
  const row = {
    target: toDbJson(target),
    actor: toDbJson(actor),
    state: "running",
    after_user_id: 0,
    queued: 0,
    refused: 0,
    attempts: 1,
    owner,
    heartbeat_at: now,
    last_error: null,
    created_at: now,
    finished_at: null,
  };
  const [id] = await db("bulk_invites").insert(row);
  return toRun({ ...row, id });
}

/**
 * Takes over the running runs whose owner has not been heard of since `staleBefore` (it
 * stopped or died), one conditional update each, so that of several instances one gets each.
 */
export async function claimStale(db: Knex, owner: string, staleBefore: number, now: number): Promise<BulkRun[]> {
  const candidates: Row[] = await db("bulk_invites").where({ state: "running" }).where("heartbeat_at", "<", staleBefore);
  const claimed: BulkRun[] = [];
  for (const row of candidates) {
    const n = await db("bulk_invites")
      .where({ id: row.id, state: "running", heartbeat_at: row.heartbeat_at })
      .update({ owner, heartbeat_at: now, attempts: Number(row.attempts) + 1 });
    if (Number(n) === 1) claimed.push(toRun({ ...row, attempts: Number(row.attempts) + 1 }));
  }
  return claimed;
}

/** Records progress; false when another instance has taken the run over (this one then stops). */
export async function advance(
  db: Knex,
  id: number,
  owner: string,
  progress: { afterUserId: number; queued: number; refused: number },
  now: number,
): Promise<boolean> {
  const n = await db("bulk_invites").where({ id, owner, state: "running" }).update({
    after_user_id: progress.afterUserId,
    queued: progress.queued,
    refused: progress.refused,
    heartbeat_at: now,
  });
  return Number(n) === 1;
}

export async function finish(db: Knex, id: number, owner: string, state: "done" | "failed", error: string | null, now: number) {
  await db("bulk_invites")
    .where({ id, owner })
    .update({ state, last_error: error, finished_at: now, heartbeat_at: now, owner: null });
}

/** Lets go of a run that is not finished: any instance may resume it at once. */
export async function release(db: Knex, id: number, owner: string, error: string | null) {
  await db("bulk_invites").where({ id, owner, state: "running" }).update({ owner: null, heartbeat_at: 0, last_error: error });
}

/** The newest runs, for the Deliveries page. */
export async function recentRuns(db: Knex, limit: number): Promise<BulkRun[]> {
  const rows: Row[] = await db("bulk_invites").orderBy("id", "desc").limit(limit);
  return rows.map(toRun);
}
