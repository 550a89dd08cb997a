import type { Knex } from "knex";
import { nowMs } from "../core/db/convert.js";
import { KeyedQueue, pruneClientLocks, withClientLock } from "../core/db/limit-lock.js";
import { RateLimitedError } from "../core/errors.js";
import { message } from "../core/message.js";
import * as repo from "./login-limits.repo.js";

const MINUTE_MS = 60_000;
/** Wrong passwords for one account from one address before each next try must wait. */
const FREE_PER_PAIR = 5;
/** The wait doubles with every further wrong password (1, 2, 4, 8 minutes), up to this. */
const FIRST_DELAY_MS = MINUTE_MS;
const MAX_DELAY_MS = 15 * MINUTE_MS;
/** Wrong passwords of one address are counted this long for its growing delay. */
const PAIR_WINDOW_MS = 60 * MINUTE_MS;
/** Wrong passwords from one address, whatever the accounts, in IP_WINDOW_MS. */
const MAX_PER_IP = 20;
const IP_WINDOW_MS = 15 * MINUTE_MS;
/**
 * Wrong passwords for one account from everywhere in IP_WINDOW_MS beyond which only
 * addresses it signed in from within a day may try (many addresses guessing at once).
 */
const MAX_PER_ACCOUNT = 50;
const KNOWN_ADDRESS_MS = 24 * 60 * MINUTE_MS;

/** A sign-in attempt counted before its password is checked. */
export type LoginAttempt = { id: number; email: string; ip: string };

/**
 * Slows password guessing without locking the real admin out. Every attempt is counted
 * before its password is checked, one at a time per address under that address's lock
 * row in the database, so a burst of any size on any number of instances gets at most
 * the allowed tries checked:
 * - per account and address: 5 wrong passwords, then a wait after each further one that
 *   doubles from 1 up to 15 minutes; a success from that address starts again;
 * - per address: 20 wrong passwords in 15 minutes, whatever the accounts;
 * - per account from everywhere: past 50 wrong passwords in 15 minutes, only addresses the
 *   account signed in from within a day may try.
 * Wrong passwords from elsewhere never stop the admin at their own address; they are told
 * how many there were at their next sign-in.
 */
export class LoginLimiter {
  /** Attempts of one address, one at a time here (see KeyedQueue). */
  private queue = new KeyedQueue();
  /** Refusals known here, until their wait is over: a burst is then refused from memory. */
  private waits = new Map<string, { until: number; error: RateLimitedError }>();

  constructor(private db: Knex) {}

  /** Counts the attempt before its password is checked; 429 (not counted) when it must wait. */
  async begin(rawEmail: string, rawIp: string): Promise<LoginAttempt> {
    const attempt = { id: 0, email: rawEmail.slice(0, 191), ip: rawIp.slice(0, 64) };
    this.refuseFromMemory(attempt);
    return this.queue.run(attempt.ip, async () => {
      this.refuseFromMemory(attempt);
      const outcome = await withClientLock(this.db, "login", attempt.ip, async (trx, now) => {
        const wait = await this.waitFor(trx, attempt, now);
        if (wait) return wait;
        return repo.insertAttempt(trx, { email: attempt.email, ip: attempt.ip, at: now });
      });
      if (typeof outcome === "number") return { ...attempt, id: outcome };
      this.remember(outcome.key === "ip" ? attempt.ip : pairKey(attempt), outcome.error);
      throw outcome.error;
    });
  }

  /**
   * Marks the attempt as a success. Returns how many wrong passwords the account had from
   * anywhere since its previous successful sign-in (within a day), for the notice.
   */
  async succeeded(attempt: LoginAttempt): Promise<number> {
    await repo.markSucceeded(this.db, attempt.id);
    return repo.failedBefore(this.db, attempt.email, attempt.id);
  }

  /** Forgets the address locks of quiet addresses (the attempts themselves: sessions.prune). */
  prune(): Promise<void> {
    return pruneClientLocks(this.db, "login", nowMs() - PAIR_WINDOW_MS);
  }

  private refuseFromMemory(attempt: LoginAttempt): void {
    const now = nowMs();
    for (const key of [attempt.ip, pairKey(attempt)]) {
      const known = this.waits.get(key);
      if (known && known.until > now) throw known.error;
      if (known) this.waits.delete(key);
    }
  }

  private remember(key: string, error: RateLimitedError): void {
    this.waits.delete(key);
    if (this.waits.size >= 10_000) this.waits.delete(this.waits.keys().next().value as string);
    this.waits.set(key, { until: nowMs() + error.retryAfterSeconds * 1000, error });
  }

  /** Why this attempt must wait, if it must, counting every earlier attempt of its address. */
  private async waitFor(
    trx: Knex.Transaction,
    attempt: LoginAttempt,
    now: number,
  ): Promise<{ key: "ip" | "pair"; error: RateLimitedError } | null> {
    const lastSuccess = await repo.lastSuccess(trx, attempt.email, attempt.ip);
    // Failed attempts or ones still being checked (written as failed until they succeed).
    const pair = await repo.failedOfPair(trx, attempt.email, attempt.ip, Number(lastSuccess?.id ?? 0), now - PAIR_WINDOW_MS);
    const byIp = await repo.failedOfIp(trx, attempt.ip, now - IP_WINDOW_MS);
    const byAccount = await repo.failedOfAccount(trx, attempt.email, now - IP_WINDOW_MS);
    if (Number(byIp?.n ?? 0) >= MAX_PER_IP) {
      const wait = Number(byIp?.oldest ?? now) + IP_WINDOW_MS - now;
      return {
        key: "ip",
        error: refusal(wait, "errors:signIn.tooManyFromAddress"),
      };
    }
    const knownAddress = Number(lastSuccess?.at ?? 0) > now - KNOWN_ADDRESS_MS;
    if (Number(byAccount?.n ?? 0) >= MAX_PER_ACCOUNT && !knownAddress) {
      return {
        key: "pair",
        error: refusal(IP_WINDOW_MS, "errors:signIn.manyPlaces"),
      };
    }
    const failed = Number(pair?.n ?? 0);
    if (failed < FREE_PER_PAIR) return null;
    const delay = Math.min(FIRST_DELAY_MS * 2 ** (failed - FREE_PER_PAIR), MAX_DELAY_MS);
    const wait = Number(pair?.latest ?? now) + delay - now;
    if (wait <= 0) return null;
    return {
      key: "pair",
      error: refusal(wait, "errors:signIn.tooMany"),
    };
  }
}

const pairKey = (attempt: LoginAttempt) => `${attempt.ip}\n${attempt.email}`;

/** The refusal in the reader's language, with the wait in whole minutes (and exact in Retry-After). */
function refusal(waitMs: number, key: string): RateLimitedError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new RateLimitedError(message(key, { minutes: Math.ceil(seconds / 60) }), seconds);
}
