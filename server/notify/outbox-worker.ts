import type { Knex } from "knex";
import { nowMs } from "../core/db/convert.js";
import type { Logger } from "../core/log.js";
import type { WorkQueue } from "../core/work/work-queue.js";
import { MAX_ATTEMPTS, retryDelayMs } from "./backoff.js";
import { DeliveryError } from "./delivery-error.js";
import type { OutboxRow } from "./outbox.repo.js";
import * as repo from "./outbox.repo.js";
import { type Outbox, toMessage } from "./outbox.service.js";
import type { OutboxMessage, Outgoing, Prepared } from "./outbox.types.js";

/** Puts one prepared message on the wire for a channel; throws a DeliveryError when it did not go out. */
/** `kept`: the message was only written to a file or a log, not handed to anyone who delivers it. */
export type TransportResult = { providerId: string | null; kept?: "saved" | "logged" };
export type Transport = (outgoing: Outgoing, message: OutboxMessage) => Promise<TransportResult>;

export type WorkerOptions = {
  /** OUTBOX_RETRY_SECONDS: the first retry delay (see backoff.ts). */
  firstRetrySeconds: number;
  /** How long a claim lasts before another instance may take the message over. */
  leaseMs?: number;
  batchSize?: number;
  concurrency?: number;
  /** The longest sleep between looks at the table (messages queued by other instances). */
  pollMs?: number;
};

/**
 * Sends what the outbox holds, in this process, next to the HTTP server.
 *
 * Each cycle claims due messages through the work queue (state 'sending', a lease in
 * next_attempt_at, the claim's token in claimed_by), so several instances on one database
 * never take the same message, and a message claimed by an instance that died is due
 * again when its lease runs out. Outcomes are recorded only while the claim is still ours.
 *
 * Delivery is at least once. The one window where a message can go out twice is between
 * the provider accepting it and our UPDATE to 'sent': if the process dies (or the database
 * is unreachable) right there, the lease expires and the message is sent again. A graceful
 * stop does not open that window: it lets sends in progress finish and be recorded, and
 * hands the claimed messages it has not started back to the queue, uncounted. The lease
 * (5 min) is well above the longest a send may take (SMTP and HTTP timeouts of 10–30 s),
 * so a slow but live send is never taken over by another instance.
 */
export class OutboxWorker {
  private transports = new Map<string, Transport>();
  private readonly queue: WorkQueue;
  private started = false;
  private stopping = false;
  private timer: NodeJS.Timeout | null = null;
  private cycle: Promise<void> | null = null;
  private again = false;
  private readonly leaseMs: number;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly pollMs: number;

  constructor(
    private db: Knex,
    private outbox: Outbox,
    private log: Logger,
    private opts: WorkerOptions,
  ) {
    this.leaseMs = opts.leaseMs ?? 5 * 60_000;
    this.batchSize = opts.batchSize ?? 20;
    this.concurrency = opts.concurrency ?? 4;
    this.pollMs = opts.pollMs ?? 5_000;
    this.queue = repo.outboxQueue(db);
    outbox.onQueued(() => this.kick());
  }

  registerTransport(channel: string, transport: Transport): void {
    this.transports.set(channel, transport);
  }

  /** Starts the loop; calling it again while running does nothing. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    this.schedule(0);
  }

  /** Something was queued here: look now rather than at the next poll. */
  kick(): void {
    if (!this.started || this.stopping) return;
    if (this.cycle) this.again = true;
    else this.schedule(0);
  }

  /**
   * Stops taking messages and waits (up to `ms`) for the sends in progress to finish and be
   * recorded; claimed messages not yet started go back to the queue.
   */
  async stop(ms = 5_000): Promise<void> {
    if (!this.started) return;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.cycle) {
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([this.cycle, new Promise<void>((r) => (timeout = setTimeout(r, ms)))]);
      clearTimeout(timeout);
    }
    this.started = false;
  }

  /** One pass now, whatever the timer says (tests, the CLI). Returns how many messages it handled. */
  async runOnce(): Promise<number> {
    let handled = 0;
    for (;;) {
      const claimed = await this.claim();
      handled += claimed.rows.length;
      await this.deliverAll(claimed.rows, claimed.token);
      if (claimed.rows.length < this.batchSize || this.stopping) return handled;
    }
  }

  private schedule(ms: number) {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick() {
    this.timer = null;
    if (!this.started || this.stopping || this.cycle) return;
    let delay = this.pollMs;
    this.cycle = (async () => {
      try {
        this.again = false;
        await this.runOnce();
        delay = await this.nextDelay();
      } catch (err) {
        this.log.warn({ err }, "outbox: cycle failed; trying again shortly");
      }
    })();
    await this.cycle;
    this.cycle = null;
    if (this.started && !this.stopping) this.schedule(this.again ? 0 : delay);
  }

  private async nextDelay(): Promise<number> {
    const at = await repo.nextDueAt(this.db, [...this.transports.keys()]);
    if (at === null) return this.pollMs;
    return Math.min(this.pollMs, Math.max(20, at - nowMs()));
  }

  private async claim(): Promise<{ rows: OutboxRow[]; token: string }> {
    const channels = [...this.transports.keys()];
    if (!channels.length) return { rows: [], token: "" };
    return repo.claimDue(this.queue, { leaseMs: this.leaseMs, channels, limit: this.batchSize });
  }

  private async deliverAll(rows: OutboxRow[], token: string) {
    const queue = [...rows];
    const lanes = Array.from({ length: Math.min(this.concurrency, queue.length) }, async () => {
      for (let row = queue.shift(); row; row = queue.shift()) {
        if (this.stopping) {
          await repo
            .releaseClaim(this.queue, row.id, token, nowMs())
            .catch((err) =>
              this.log.warn({ err, outbox: row?.id }, "outbox: could not hand a claim back; it is retried when its lease ends"),
            );
          continue;
        }
        await this.deliver(row, token);
      }
    });
    await Promise.all(lanes);
  }

  private async deliver(row: OutboxRow, token: string) {
    const message = toMessage(row);
    const handler = this.outbox.handlerFor(message.kind);
    let secrets: string[] = [];
    let outcome: ({ ok: true } & TransportResult) | { ok: false; error: DeliveryError };
    try {
      const transport = this.transports.get(message.channel);
      if (!transport) throw new DeliveryError(`No sender for channel ${message.channel}`, { safe: true });
      const prepared: Prepared = handler?.prepare ? await handler.prepare(message) : storedAsOutgoing(message);
      secrets = prepared.secrets;
      if (prepared.rewrite) {
        message.recipient = prepared.rewrite.recipient;
        message.payload = prepared.rewrite.payload;
        await repo.rewriteClaimed(this.queue, row.id, token, {
          recipient: prepared.rewrite.recipient.slice(0, 500),
          payload: JSON.stringify(prepared.rewrite.payload),
          updated_at: nowMs(),
        });
      }
      outcome = { ok: true, ...(await transport(prepared.outgoing, message)) };
    } catch (err) {
      const error = err instanceof DeliveryError ? err : new DeliveryError((err as Error)?.message ?? String(err));
      outcome = { ok: false, error };
    }

    try {
      const now = nowMs();
      if (outcome.ok) {
        // A message only written to a file or a log is recorded as such, never as "sent".
        const state = outcome.kept ?? "sent";
        const mine = await repo.finishClaim(this.queue, row.id, token, {
          state,
          provider_id: outcome.providerId?.slice(0, 191) ?? null,
          sent_at: now,
          last_error: null,
          updated_at: now,
        });
        this.log.info({ outbox: row.id, kind: row.kind, channel: row.channel, attempt: row.attempts }, `outbox: ${state}`);
        if (!mine) return this.lostClaim(row);
        await handler?.onSent?.({ ...message, state, provider_id: outcome.providerId, sent_at: now });
        return;
      }
      const error = redact(outcome.error.message, secrets).slice(0, 500);
      const delay = outcome.error.permanent ? null : retryDelayMs(row.attempts, this.opts.firstRetrySeconds);
      this.log.warn(
        { outbox: row.id, kind: row.kind, channel: row.channel, attempt: row.attempts, error, final: delay === null },
        "outbox: send failed",
      );
      if (delay !== null) {
        const mine = await repo.finishClaim(this.queue, row.id, token, {
          state: "queued",
          next_attempt_at: now + delay,
          last_error: error,
          updated_at: now,
        });
        if (!mine) this.lostClaim(row);
        return;
      }
      const mine = await repo.finishClaim(this.queue, row.id, token, { state: "failed", last_error: error, updated_at: now });
      if (!mine) return this.lostClaim(row);
      const reason = outcome.error.safe
        ? redact(outcome.error.message, secrets)
        : row.attempts >= MAX_ATTEMPTS
          ? `gave up after ${row.attempts} attempts`
          : "the provider refused it";
      await handler?.onFailed?.({ ...message, state: "failed", last_error: error }, reason);
    } catch (err) {
      // The database went away between sending and recording: the lease makes it due again.
      this.log.error({ err, outbox: row.id }, "outbox: could not record the outcome; the message is retried when its lease ends");
    }
  }

  private lostClaim(row: OutboxRow) {
    this.log.warn({ outbox: row.id }, "outbox: the claim ran out before the outcome was recorded; another instance took it over");
  }
}

/** A message whose kind has no preparer goes out as stored. */
function storedAsOutgoing(message: OutboxMessage): Prepared {
  return { outgoing: { ...message.payload, channel: message.channel, to: message.recipient } as Outgoing, secrets: [] };
}

/** Secrets replaced in text that is logged or stored (a provider's error can quote the message). */
export function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join("[redacted]");
  return out;
}
