import type { Knex } from "knex";
import { nowMs } from "../db/convert.js";
import { RateLimitedError } from "../errors.js";

/**
 * Limits guessing of links and codes: a client (IP address) with `max` failed attempts
 * within `windowMs` is refused (429) until the oldest one ages out. Kept in the database
 * so the limit holds across instances and restarts; successes cost nothing.
 */
export class GuessLimiter {
  constructor(
    private db: Knex,
    private bucket: string,
    private max: number,
    private windowMs: number,
  ) {}

  async check(rawClient: string): Promise<void> {
    const client = rawClient.slice(0, 64);
    const since = nowMs() - this.windowMs;
    const row = await this.db("guess_failures")
      .where({ bucket: this.bucket, client })
      .where("at", ">", since)
      .count({ n: "*" })
      .min({ oldest: "at" })
      .first();
    if (Number(row?.n ?? 0) < this.max) return;
    const retryAfter = Math.max(1, Math.ceil((Number(row?.oldest) + this.windowMs - nowMs()) / 1000));
    throw new RateLimitedError(
      `Too many invalid invitation links or codes from here. Try again in ${retryAfter} seconds.`,
      retryAfter,
    );
  }

  async fail(client: string): Promise<void> {
    const now = nowMs();
    await this.db("guess_failures").insert({ bucket: this.bucket, client: client.slice(0, 64), at: now });
  }

  /** Forgets failures older than the window (run by the job scheduler). */
  async prune(): Promise<void> {
    await this.db("guess_failures")
      .where("at", "<=", nowMs() - this.windowMs)
      .delete();
  }
}
