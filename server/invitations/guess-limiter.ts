import type { Knex } from "knex";
import { Batcher } from "../core/db/batcher.js";
import { nowMs } from "../core/db/convert.js";
import { KeyedQueue, pruneClientLocks, withClientLock } from "../core/db/limit-lock.js";
import { RateLimitedError } from "../core/errors.js";
import { type Message, message } from "../core/message.js";
import * as repo from "./guesses.repo.js";

/** How long a client the database knew no failure of is let through without asking again. */
const CLEAN_MS = 10_000;
const CLIENTS_KEPT = 10_000;

/** An attempt counted before it was evaluated: `release` takes it back when it succeeded. */
export type Attempt = { release: () => Promise<void> };

/**
 * Limits guessing of links and codes: a client (IP address, phone number, …) with `max`
 * counted attempts within `windowMs` is refused (429) until the oldest one ages out. Kept
 * in the database so the limit holds across instances and restarts.
 *
 * Every attempt is counted before its answer, so a burst of any size gets at most `max`
 * evaluated answers: attempts of one client are counted and written one at a time under
 * a lock row of theirs in the database, so each counts all those before it, on every
 * instance alike.
 * - `reserve` counts an attempt before it is evaluated (guessable secrets: typed codes);
 *   a success releases it.
 * - `fail` counts a failure before it is answered, and answers 429 instead when it is
 *   beyond the limit. For secrets of 128 bits and more, whose look-up reveals nothing
 *   unless answered, and where a success cannot be a guess.
 *
 * A client the database had no failure of is remembered as clean for a few seconds, and
 * its `check` skips the look-up (a lobby or an office behind one address redeeming one
 * link after another); a client over the limit is remembered as blocked until its oldest
 * attempt ages out, so that refusing it costs nothing. Neither lets an attempt through
 * uncounted: `fail` and `reserve` always ask the database.
 */
export class GuessLimiter {
  // Busy front doors check many clients at once: one statement for all of them.
  private checks = new Batcher<string, void>((clients) => this.checkMany(clients), { concurrency: 2 });
  private clean = new Map<string, number>();
  private blocked = new Map<string, number>();
  /** Counting one client's attempts, one at a time here (see KeyedQueue). */
  private queue = new KeyedQueue();
  /** Counts failures here, so that a look-up that raced one does not mark anyone clean. */
  private failures = 0;

  constructor(
    private db: Knex,
    private bucket: string,
    private max: number,
    private windowMs: number,
    private wording = (retryAfter: number): string | Message => message("errors:guesses.tooMany", { seconds: retryAfter }),
  ) {}

  /** The refusal of a client this instance already knows to be over the limit, without asking the database. */
  refusalFromMemory(rawClient: string): RateLimitedError | null {
    const until = this.blocked.get(rawClient.slice(0, 64));
    return until !== undefined && until > nowMs() ? this.refusal(until) : null;
  }

  /** Refuses a client over the limit; counts nothing. */
  check(rawClient: string): Promise<void> {
    const client = rawClient.slice(0, 64);
    const now = nowMs();
    const until = this.blocked.get(client);
    if (until !== undefined) {
      if (until > now) return Promise.reject(this.refusal(until));
      this.blocked.delete(client);
    }
    if ((this.clean.get(client) ?? 0) > now) return Promise.resolve();
    return this.checks.call(client);
  }

  /** Counts an attempt before it is evaluated; 429 (and not counted) when it is beyond the limit. */
  async reserve(rawClient: string): Promise<Attempt> {
    const client = rawClient.slice(0, 64);
    await this.check(client);
    const id = await this.count(client);
    return {
      release: () => repo.deleteAttempt(this.db, id),
    };
  }

  /** Counts a failure before it is answered: 429 when it is beyond the limit. */
  async fail(rawClient: string): Promise<void> {
    await this.count(rawClient.slice(0, 64), { keep: true });
  }

  /** Forgets attempts older than the window, and the locks of clients gone quiet (run by the job scheduler). */
  async prune(): Promise<void> {
    const before = nowMs() - this.windowMs;
    await repo.deleteUpTo(this.db, this.bucket, before);
    await pruneClientLocks(this.db, this.bucket, before);
  }

  /**
   * Counts the client's attempts in the window and writes this one, holding the client's
   * lock row (so each attempt counts all the ones before it, on any instance). Beyond the
   * limit: refused, and not written unless `keep` (a failure evaluated already stays counted).
   */
  private count(client: string, opts: { keep?: boolean } = {}): Promise<number> {
    this.failures++;
    this.clean.delete(client);
    return this.queue.run(client, () => this.countNow(client, opts));
  }

  private async countNow(client: string, opts: { keep?: boolean }): Promise<number> {
    const until = this.blocked.get(client);
    if (until !== undefined && until > nowMs()) throw this.refusal(until);
    const key = { bucket: this.bucket, client };
    const outcome = await withClientLock(this.db, this.bucket, client, async (trx, now) => {
      const recent = await repo.countSince(trx, key, now - this.windowMs);
      const over = recent.n >= this.max;
      const oldest = recent.oldest ?? now;
      if (over && !opts.keep) return { over, oldest, id: 0 };
      return { over, oldest, id: await repo.insertAttempt(trx, key, now) };
    });
    if (outcome.over) throw this.block(client, outcome.oldest + this.windowMs);
    return outcome.id;
  }

  private async checkMany(clients: string[]): Promise<Array<undefined | Error>> {
    const now = nowMs();
    const failuresBefore = this.failures;
    const rows = await repo.countSinceMany(this.db, this.bucket, clients, now - this.windowMs);
    const over = new Map(rows.filter((r) => r.n >= this.max).map((r) => [r.client, r.oldest]));
    if (this.failures === failuresBefore) {
      const failed = new Set(rows.map((r) => r.client));
      for (const client of clients) if (!failed.has(client)) remember(this.clean, client, now + CLEAN_MS);
    }
    return clients.map((client) => {
      const oldest = over.get(client);
      return oldest === undefined ? undefined : this.block(client, oldest + this.windowMs);
    });
  }

  private block(client: string, until: number): RateLimitedError {
    remember(this.blocked, client, until);
    return this.refusal(until);
  }

  private refusal(until: number): RateLimitedError {
    const retryAfter = Math.max(1, Math.ceil((until - nowMs()) / 1000));
    return new RateLimitedError(this.wording(retryAfter), retryAfter);
  }
}

/** Oldest out first (insertion order): many one-off clients must not grow a map forever. */
function remember(map: Map<string, number>, client: string, until: number): void {
  map.delete(client);
  if (map.size >= CLIENTS_KEPT) map.delete(map.keys().next().value as string);
  map.set(client, until);
}
