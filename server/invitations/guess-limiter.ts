import type { Knex } from "knex";
import { Batcher } from "../db/batcher.js";
import { nowMs } from "../db/convert.js";
import { RateLimitedError } from "../errors.js";

/**
 * Limits guessing of links and codes: a client (IP address) with `max` failed attempts
 * within `windowMs` is refused (429) until the oldest one ages out. Kept in the database
 * so the limit holds across instances and restarts; successes cost one shared look-up.
 */
export class GuessLimiter {
  // Busy front doors check many clients at once: one statement for all of them.
  private checks = new Batcher<string, void>((clients) => this.checkMany(clients), { concurrency: 2 });

  constructor(
    private db: Knex,
    private bucket: string,
    private max: number,
    private windowMs: number,
  ) {}

  check(rawClient: string): Promise<void> {
    return this.checks.call(rawClient.slice(0, 64));
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

  private async checkMany(clients: string[]): Promise<Array<undefined | Error>> {
    const now = nowMs();
    const rows: Array<{ client: string; n: unknown; oldest: unknown }> = await this.db("guess_failures")
      .select("client")
      .where({ bucket: this.bucket })
      .whereIn("client", [...new Set(clients)])
      .where("at", ">", now - this.windowMs)
      .groupBy("client")
      .count({ n: "*" })
      .min({ oldest: "at" });
    const over = new Map(rows.filter((r) => Number(r.n) >= this.max).map((r) => [r.client, Number(r.oldest)]));
    return clients.map((client) => {
      const oldest = over.get(client);
      if (oldest === undefined) return undefined;
      const retryAfter = Math.max(1, Math.ceil((oldest + this.windowMs - nowMs()) / 1000));
      return new RateLimitedError(
        `Too many invalid invitation links or codes from here. Try again in ${retryAfter} seconds.`,
        retryAfter,
      );
    });
  }
}
