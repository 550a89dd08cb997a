import type { Knex } from "knex";
import { Batcher } from "../core/db/batcher.js";
import { fromDbJson, fromDbTime, nowMs, toDbJson } from "../core/db/convert.js";
import { ConflictError, NotFoundError } from "../core/errors.js";
import type { Actor } from "../core/events.js";
import { groupBy } from "../core/group-by.js";
import type { OutboxRow } from "./outbox.repo.js";
import * as repo from "./outbox.repo.js";
import type { Delivery, KindHandler, NewMessage, OutboxChannel, OutboxMessage, OutboxState } from "./outbox.types.js";

export const toMessage = (row: OutboxRow): OutboxMessage => ({
  ...row,
  payload: fromDbJson<Record<string, unknown>>(row.payload, {}),
});

function summaryOf(row: OutboxRow): string {
  const payload = fromDbJson<Record<string, unknown>>(row.payload, {});
  if (row.recipient === repo.ERASED) return "(erased)";
  if (row.channel === "email" && typeof payload.subject === "string") return payload.subject;
  if (row.channel === "sms" && typeof payload.length === "number") return `SMS, ${payload.length} characters`;
  return row.kind;
}

export function toDelivery(row: OutboxRow): Delivery {
  return {
    id: row.id,
    kind: row.kind,
    channel: row.channel as OutboxChannel,
    userId: row.user_id,
    recipient: row.recipient,
    summary: summaryOf(row),
    state: row.state as OutboxState,
    attempts: row.attempts,
    nextAttemptAt: row.state === "queued" || row.state === "sending" ? fromDbTime(row.next_attempt_at) : null,
    lastError: row.last_error,
    providerId: row.provider_id,
    createdBy: row.created_by,
    createdAt: fromDbTime(row.created_at) as string,
    updatedAt: fromDbTime(row.updated_at) as string,
    sentAt: fromDbTime(row.sent_at),
  };
}

/**
 * The persistent outbox: every email, SMS and webhook call is queued here first and sent by
 * the OutboxWorker. This service queues, lists and resends; it never sends itself.
 */
export class Outbox {
  private kinds = new Map<string, KindHandler>();
  private queuedListeners: Array<() => void> = [];
  // People join many at a time at a busy entrance: their waiting messages fail together.
  private failings = new Batcher<{ userId: number; kind: string; reason: string }, void>(async (items) => {
    for (const same of groupBy(items, (i) => `${i.kind}\n${i.reason}`).values()) {
      const { kind, reason } = same[0] as (typeof same)[number];
      await repo.failQueuedFor(this.db, [...new Set(same.map((i) => i.userId))], kind, reason, nowMs());
    }
    return items.map(() => undefined);
  });

  constructor(private db: Knex) {}

  registerKind(kind: string, handler: KindHandler): void {
    this.kinds.set(kind, handler);
  }

  handlerFor(kind: string): KindHandler | undefined {
    return this.kinds.get(kind);
  }

  /** Called after every enqueue (the local worker wakes up instead of waiting for its next poll). */
  onQueued(listener: () => void): void {
    this.queuedListeners.push(listener);
  }

  /**
   * Queues a message. The local worker is woken at once unless `wake` is false (the caller
   * then calls `wake()` itself, after announcing the message, so that "queued" is recorded
   * before "sent").
   */
  async enqueue(msg: NewMessage, opts: { wake?: boolean; db?: Knex } = {}): Promise<Delivery> {
    const db = opts.db ?? this.db;
    const now = nowMs();
    const row: repo.NewOutboxRow = {
      kind: msg.kind,
      channel: msg.channel,
      user_id: msg.userId,
      recipient: msg.recipient.slice(0, 500),
      payload: toDbJson(msg.payload),
      state: "queued",
      attempts: 0,
      next_attempt_at: now,
      claimed_by: null,
      last_error: null,
      provider_id: null,
      created_by: msg.createdBy?.slice(0, 191) ?? null,
      created_at: now,
      updated_at: now,
      sent_at: null,
    };
    const id = await repo.insertMessage(db, row);
    if (opts.wake !== false) this.wake();
    return toDelivery({ ...row, id });
  }

  /** Tells the local worker that something is due now. */
  wake(): void {
    for (const listener of this.queuedListeners) listener();
  }

  async get(id: number): Promise<Delivery> {
    const row = await repo.findMessage(this.db, id);
    if (!row) throw new NotFoundError(`Delivery #${id} does not exist.`);
    return toDelivery(row);
  }

  async list(filter: repo.ListFilter): Promise<{ items: Delivery[]; total: number }> {
    const { rows, total } = await repo.listMessages(this.db, filter);
    return { items: rows.map(toDelivery), total };
  }

  /** A person's messages, newest first: their profile shows each send's state. */
  async forUser(userId: number, limit = 20): Promise<Delivery[]> {
    return (await repo.messagesForUser(this.db, userId, limit)).map(toDelivery);
  }

  /**
   * Sends a failed message again. Its kind may make a fresh one (an invitation is rendered
   * again, to the person's current address and with their current link); otherwise the
   * same message goes back into the queue with its attempts reset.
   */
  async resend(id: number, actor: Actor): Promise<Delivery> {
    const row = await repo.findMessage(this.db, id);
    if (!row) throw new NotFoundError(`Delivery #${id} does not exist.`);
    if (row.state !== "failed") throw new ConflictError(`Delivery #${id} is ${row.state}: only failed deliveries can be resent.`);
    const handler = this.kinds.get(row.kind);
    if (handler?.resend) return handler.resend(toMessage(row), actor);
    if (!(await repo.requeue(this.db, id, nowMs())))
      throw new ConflictError(`Delivery #${id} changed meanwhile; reload and try again.`);
    for (const listener of this.queuedListeners) listener();
    return this.get(id);
  }

  /** The person's queued messages of `kind` will not go out (deactivated, …). */
  /** Fails the person's queued messages of `kind` (they can no longer help), saying why. */
  failQueuedFor(userId: number, kind: string, reason: string): Promise<void> {
    return this.failings.call({ userId, kind, reason });
  }

  /**
   * Deletes every message to or about a person, whatever its kind and state (their erasure),
   * and returns the ids, whose files (the .eml outbox) the caller removes.
   */
  async forgetPerson(userId: number): Promise<number[]> {
    const ids = await repo.messageIdsOfUser(this.db, userId);
    await repo.deleteMessages(this.db, ids);
    return ids;
  }

  /** Deletes up to `limit` sent and failed messages last changed before `before` (retention); their ids. */
  async pruneFinished(before: number, limit = 1000): Promise<number[]> {
    const ids = await repo.finishedMessageIds(this.db, before, limit);
    await repo.deleteMessages(this.db, ids);
    return ids;
  }

  /** Forgets the address and content of messages whose person was erased. */
  scrubErased(kind: string): Promise<number> {
    return repo.scrubOrphans(this.db, kind, nowMs());
  }
}
