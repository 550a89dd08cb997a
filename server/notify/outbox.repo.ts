import type { Knex } from "knex";
import { nowMs } from "../core/db/convert.js";
import { WorkQueue } from "../core/work/work-queue.js";

/** An outbox row as stored: times in ms, payload as JSON text (see migrations/003_outbox.ts). */
export type OutboxRow = {
  id: number;
  kind: string;
  channel: string;
  user_id: number | null;
  recipient: string;
  payload: string;
  state: string;
  attempts: number;
  next_attempt_at: number;
  claimed_by: string | null;
  last_error: string | null;
  provider_id: string | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
};

export type NewOutboxRow = Omit<OutboxRow, "id">;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** MySQL answers BIGINT columns as strings and ids as numbers; SQLite as numbers: one shape here. */
function norm(r: Record<string, unknown>): OutboxRow {
  return {
    ...(r as OutboxRow),
    id: Number(r.id),
    user_id: num(r.user_id),
    attempts: Number(r.attempts),
    next_attempt_at: Number(r.next_attempt_at),
    created_at: Number(r.created_at),
    updated_at: Number(r.updated_at),
    sent_at: num(r.sent_at),
  };
}

export async function insertMessage(db: Knex, row: NewOutboxRow): Promise<number> {
  const [id] = await db("outbox").insert(row);
  return Number(id);
}

export async function findMessage(db: Knex, id: number): Promise<OutboxRow | undefined> {
  const row = await db("outbox").where({ id }).first();
  return row ? norm(row) : undefined;
}

export type ListFilter = { state?: string; channel?: string; userId?: number; page: number; pageSize: number };

export async function listMessages(db: Knex, f: ListFilter): Promise<{ rows: OutboxRow[]; total: number }> {
  const base = db("outbox");
  if (f.state) base.where("state", f.state);
  if (f.channel) base.where("channel", f.channel);
  if (f.userId) base.where("user_id", f.userId);
  const [count, rows] = await Promise.all([
    base.clone().count({ n: "*" }).first(),
    base
      .clone()
      .select("*")
      .orderBy("id", "desc")
      .limit(f.pageSize)
      .offset((f.page - 1) * f.pageSize),
  ]);
  return { rows: rows.map(norm), total: Number(count?.n ?? 0) };
}

export async function messagesForUser(db: Knex, userId: number, limit: number): Promise<OutboxRow[]> {
  const rows = await db("outbox").where({ user_id: userId }).orderBy("id", "desc").limit(limit);
  return rows.map(norm);
}

/** The outbox as a work queue: while a message is `sending`, next_attempt_at is its lease's end. */
export const outboxQueue = (db: Knex) =>
  new WorkQueue(db, { name: "outbox", table: "outbox", key: "id", owner: "claimed_by", expires: "next_attempt_at" });

/**
 * Claims up to `limit` due messages (queued ones whose time has come, and claims whose
 * lease ran out: the instance that took them stopped answering), oldest first. Each claim
 * counts as an attempt, so a message whose sending kills the process is not retried forever.
 */
export async function claimDue(
  queue: WorkQueue,
  opts: { leaseMs: number; channels: readonly string[]; limit: number },
): Promise<{ token: string; rows: OutboxRow[] }> {
  const now = nowMs();
  const claim = await queue.claim({
    ready: (q) =>
      void q
        .whereIn("state", ["queued", "sending"])
        .where("next_attempt_at", "<=", now)
        .whereIn("channel", opts.channels as string[]),
    orderBy: [{ column: "next_attempt_at" }, { column: "id" }],
    limit: opts.limit,
    leaseMs: opts.leaseMs,
    set: { state: "sending", attempts: queue.raw("?? + 1", ["attempts"]), updated_at: now },
  });
  return { token: claim.token, rows: claim.rows.map(norm) };
}

/** When the next message falls due (or a lease runs out), to sleep until then. */
export async function nextDueAt(db: Knex, channels: readonly string[]): Promise<number | null> {
  if (!channels.length) return null;
  const row = await db("outbox")
    .whereIn("state", ["queued", "sending"])
    .whereIn("channel", channels)
    .min({ at: "next_attempt_at" })
    .first();
  return num(row?.at);
}

/**
 * Records the outcome of a claim, only while the claim is still ours: if our lease ran out
 * and another instance took the message, its outcome wins and this returns false.
 */
export function finishClaim(queue: WorkQueue, id: number, token: string, patch: Partial<OutboxRow>): Promise<boolean> {
  const { next_attempt_at, ...rest } = patch;
  return queue.finish(token, id, rest, undefined, next_attempt_at ?? nowMs());
}

/** Gives back a claim that was never tried (the process is stopping): due again at once, attempt not counted. */
export async function releaseClaim(queue: WorkQueue, id: number, token: string, now: number): Promise<void> {
  await queue.finish(
    token,
    id,
    { state: "queued", attempts: queue.raw("?? - 1", ["attempts"]), updated_at: now },
    undefined,
    now,
  );
}

/** The content of a claimed message changed before it went out (a new link, a corrected address). */
export async function rewriteClaimed(
  queue: WorkQueue,
  id: number,
  token: string,
  patch: { recipient: string; payload: string; updated_at: number },
): Promise<void> {
  await queue.update(token, id, patch);
}

/** Puts a message back in the queue as new (the Deliveries page's Resend). */
export async function requeue(db: Knex, id: number, now: number): Promise<boolean> {
  const n = await db("outbox")
    .where({ id, state: "failed" })
    .update({ state: "queued", attempts: 0, next_attempt_at: now, last_error: null, claimed_by: null, updated_at: now });
  return Number(n) === 1;
}

/** Fails the person's messages of `kind` still waiting in the queue (they were deactivated, …). */
export async function failQueuedFor(db: Knex, userIds: number[], kind: string, reason: string, now: number): Promise<number> {
  const n = await db("outbox")
    .whereIn("user_id", userIds)
    .where({ kind, state: "queued" })
    .update({ state: "failed", last_error: reason, updated_at: now });
  return Number(n);
}

/**
 * Removes the personal data of messages whose person was erased (the foreign key set their
 * user_id to NULL): the address and the content go; the row stays as a record that a
 * message existed. Those still queued fail.
 */
export async function scrubOrphans(db: Knex, kind: string, now: number): Promise<number> {
  await db("outbox")
    .where({ kind, state: "queued" })
    .whereNull("user_id")
    .update({ state: "failed", last_error: "The person was erased before it was sent.", updated_at: now });
  const n = await db("outbox")
    .where({ kind })
    .whereNull("user_id")
    .whereNot("recipient", ERASED)
    .update({ recipient: ERASED, payload: "{}", updated_at: now });
  return Number(n);
}

export const ERASED = "(erased)";

/** Of these people, those with a message of `kind` queued at or after `since` (whatever became of it). */
export async function usersWithMessagesSince(db: Knex, kind: string, userIds: number[], since: number): Promise<Set<number>> {
  if (!userIds.length) return new Set();
  const rows: Array<{ user_id: unknown }> = await db("outbox")
    .distinct("user_id")
    .whereIn("user_id", userIds)
    .where({ kind })
    .where("created_at", ">=", since);
  return new Set(rows.map((r) => Number(r.user_id)));
}

/** The ids of every message to or about a person, whatever its kind and state. */
export async function messageIdsOfUser(db: Knex, userId: number): Promise<number[]> {
  const rows: Array<{ id: number }> = await db("outbox").where({ user_id: userId }).select("id");
  return rows.map((r) => Number(r.id));
}

/** Deletes these messages (500 at a time). */
export async function deleteMessages(db: Knex, ids: number[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 500)
    await db("outbox")
      .whereIn("id", ids.slice(i, i + 500))
      .delete();
}

/** Up to `limit` sent and failed messages last changed before `before`, oldest first (retention). */
export async function finishedMessageIds(db: Knex, before: number, limit: number): Promise<number[]> {
  const rows: Array<{ id: number }> = await db("outbox")
    .whereIn("state", ["sent", "saved", "logged", "failed"])
    .where("updated_at", "<", before)
    .orderBy("id", "asc")
    .limit(limit)
    .select("id");
  return rows.map((r) => Number(r.id));
}

/** Every message of `kind` to these people, in the order they were queued: who sent it and when. */
export async function sendsOf(
  db: Knex,
  kind: string,
  userIds: number[],
): Promise<Array<{ user_id: unknown; channel: string; created_at: unknown; created_by: string | null }>> {
  return db("outbox")
    .select("user_id", "channel", "created_at", "created_by")
    .where("kind", kind)
    .whereIn("user_id", userIds)
    .orderBy("id");
}

/** Messages due before `before` and not sent yet: work the outbox workers are behind on. */
export async function outboxOverdue(db: Knex, before: number): Promise<number> {
  const row = await db("outbox").where({ state: "queued" }).andWhere("next_attempt_at", "<", before).count({ n: "*" }).first();
  return Number(row?.n ?? 0);
}

/** For /metrics: messages by channel and state (every instance reads the same rows). */
export async function countByChannelAndState(db: Knex) {
  const rows = (await db("outbox").select("channel", "state").count({ n: "*" }).groupBy("channel", "state")) as Array<
    Record<string, unknown>
  >;
  return rows.map((r) => ({ channel: String(r.channel), state: String(r.state), n: Number(r.n) }));
}

/** Queued messages still waiting after a retry (attempts > 0), by channel. */
export async function countRetrying(db: Knex) {
  const rows = (await db("outbox")
    .where({ state: "queued" })
    .andWhere("attempts", ">", 0)
    .select("channel")
    .count({ n: "*" })
    .groupBy("channel")) as Array<Record<string, unknown>>;
  return rows.map((r) => ({ channel: String(r.channel), n: Number(r.n) }));
}
