import type { Knex } from "knex";
import { Batcher } from "../db/batcher.js";
import { nowMs } from "../db/convert.js";
import { RateLimitedError } from "../errors.js";

/** How long a client the database knew no failure of is let through without asking again. */
const CLEAN_MS = 10_000;
const CLEAN_CLIENTS_KEPT = 10_000;

/**
 * Limits guessing of links and codes: a client (IP address) with `max` failed attempts
 * within `windowMs` is refused (429) until the oldest one ages out. Kept in the database
 * so the limit holds across instances and restarts.
 *
 * A client the database had no failure of is remembered as clean for a few seconds, and
 * its next requests (a lobby or an office behind one address redeeming one after another)
 * skip the look-up. That lets no guess through unchecked: a failure here forgets the
 * client at once, so its next attempt asks the database again, where the failures other
 * instances saw are counted too.
 */
export class GuessLimiter {
  // Busy front doors check many clients at once: one statement for all of them.
  private checks = new Batcher<string, void>((clients) => this.checkMany(clients), { concurrency: 2 });
  private clean = new Map<string, number>();
  /** Counts failures here, so that a look-up that raced one does not mark anyone clean. */
  private failures = 0;

  constructor(
    private db: Knex,
    private bucket: string,
    private max: number,
    private windowMs: number,
  ) {}

  check(rawClient: string): Promise<void> {
    const client = rawClient.slice(0, 64);
    if ((this.clean.get(client) ?? 0) > nowMs()) return Promise.resolve();
    return this.checks.call(client);
  }

  async fail(rawClient: string): Promise<void> {
    const client = rawClient.slice(0, 64);
    this.failures++;
    this.clean.delete(client);
    await this.db("guess_failures").insert({ bucket: this.bucket, client, at: nowMs() });
  }

  /** Forgets failures older than the window (run by the job scheduler). */
  async prune(): Promise<void> {
    await this.db("guess_failures")
      .where("at", "<=", nowMs() - this.windowMs)
      .delete();
  }

  private async checkMany(clients: string[]): Promise<Array<undefined | Error>> {
    const now = nowMs();
    const failuresBefore = this.failures;
    const rows: Array<{ client: string; n: unknown; oldest: unknown }> = await this.db("guess_failures")
      .select("client")
      .where({ bucket: this.bucket })
      .whereIn("client", [...new Set(clients)])
      .where("at", ">", now - this.windowMs)
      .groupBy("client")
      .count({ n: "*" })
      .min({ oldest: "at" });
    const over = new Map(rows.filter((r) => Number(r.n) >= this.max).map((r) => [r.client, Number(r.oldest)]));
    if (this.failures === failuresBefore) {
      const failed = new Set(rows.map((r) => r.client));
      for (const client of clients) if (!failed.has(client)) this.markClean(client, now);
    }
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

  private markClean(client: string, now: number): void {
    this.clean.delete(client);
    // Oldest out first (insertion order): many one-off clients must not grow it forever.
    if (this.clean.size >= CLEAN_CLIENTS_KEPT) this.clean.delete(this.clean.keys().next().value as string);
    this.clean.set(client, now + CLEAN_MS);
  }
}
