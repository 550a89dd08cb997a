import type { Knex } from "knex";
import { nowMs, toDbBool } from "../db/convert.js";
import { RateLimitedError } from "../errors.js";

const WINDOW_MS = 15 * 60 * 1000;
const MAX_PER_ACCOUNT = 5;
const MAX_PER_IP = 20;

/**
 * Counts failed sign-ins in the database (so the limit holds across instances and
 * restarts): 5 per account or 20 per address in 15 minutes, then wait.
 */
export class LoginLimiter {
  constructor(private db: Knex) {}

  async check(emailNormalized: string, ip: string): Promise<void> {
    const since = nowMs() - WINDOW_MS;
    const [byAccount, byIp] = await Promise.all([
      this.failures("email_normalized", emailNormalized, since),
      this.failures("ip", ip, since),
    ]);
    const blocking = byAccount.count >= MAX_PER_ACCOUNT ? byAccount : byIp.count >= MAX_PER_IP ? byIp : null;
    if (!blocking) return;
    const retryAfter = Math.max(1, Math.ceil((blocking.oldest + WINDOW_MS - nowMs()) / 1000));
    const minutes = Math.ceil(retryAfter / 60);
    throw new RateLimitedError(
      `Too many failed sign-in attempts. Wait ${minutes} minute${minutes === 1 ? "" : "s"} and try again, or ask another admin to reset your password.`,
      retryAfter,
    );
  }

  async record(emailNormalized: string, ip: string, succeeded: boolean): Promise<void> {
    await this.db("login_attempts").insert({
      email_normalized: emailNormalized.slice(0, 191),
      ip,
      succeeded: toDbBool(succeeded),
      at: nowMs(),
    });
    if (succeeded) {
      // A successful sign-in clears the account's failures, not the address's.
      await this.db("login_attempts")
        .where({ email_normalized: emailNormalized, succeeded: toDbBool(false) })
        .delete();
    }
  }

  private async failures(column: "email_normalized" | "ip", value: string, since: number) {
    const row = await this.db("login_attempts")
      .where(column, value)
      .where("succeeded", toDbBool(false))
      .where("at", ">", since)
      .count({ n: "*" })
      .min({ oldest: "at" })
      .first();
    return { count: Number(row?.n ?? 0), oldest: Number(row?.oldest ?? nowMs()) };
  }
}
