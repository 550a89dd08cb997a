import type { Knex } from "knex";
import type { SessionLookup } from "../core/auth/principals.js";
import { nowMs } from "../core/db/convert.js";
import { digest, newSecret } from "../core/tokens.js";
import type { Admin } from "./admins.repo.js";
import * as logins from "./login-limits.repo.js";
import * as repo from "./sessions.repo.js";
import * as setupTokens from "./setup-tokens.repo.js";

const IDLE_MS = 8 * 60 * 60 * 1000;
const ABSOLUTE_MS = 7 * 24 * 60 * 60 * 1000;
const TOUCH_EVERY_MS = 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export type Session = { idHash: string; admin: Admin };

/**
 * Server-side sessions: the cookie holds a random id, the database only its digest. A
 * session ends after 8 idle hours or 7 days, or when its admin is disabled.
 */
export class SessionStore implements SessionLookup {
  constructor(private db: Knex) {}

  async create(adminId: number, ip: string | null, userAgent: string | null): Promise<string> {
    const id = newSecret(32);
    const now = nowMs();
    await repo.insertSession(this.db, {
      idHash: digest(id),
      adminId,
      now,
      expiresAt: now + IDLE_MS,
      ip,
      userAgent: userAgent?.slice(0, 255) ?? null,
    });
    return id;
  }

  async load(id: string): Promise<Session | undefined> {
    const idHash = digest(id);
    const now = nowMs();
    const found = await repo.findWithAdmin(this.db, idHash);
    if (!found || found.disabled || found.expiresAt <= now || found.createdAt + ABSOLUTE_MS <= now) {
      return undefined;
    }
    if (now - found.lastSeenAt > TOUCH_EVERY_MS) await repo.touch(this.db, idHash, now, now + IDLE_MS);
    return { idHash, admin: found.admin };
  }

  /**
   * Which of these sessions (by digest) are still good: not ended, expired or of a disabled
   * admin. Unlike `load` it does not count as activity, so a page left open does not keep
   * its session alive.
   */
  async stillValid(idHashes: string[]): Promise<Set<string>> {
    if (!idHashes.length) return new Set();
    const now = nowMs();
    return new Set(await repo.validHashes(this.db, [...new Set(idHashes)], now, now - ABSOLUTE_MS));
  }

  async destroy(id: string): Promise<void> {
    await repo.deleteSession(this.db, digest(id));
  }

  async destroyAllFor(adminId: number): Promise<void> {
    await repo.deleteSessionsOf(this.db, adminId);
  }

  /** Removes expired sessions and old sign-in attempts; run by the job scheduler. */
  async prune(): Promise<number> {
    const now = nowMs();
    const n = await repo.deleteEnded(this.db, now, now - ABSOLUTE_MS);
    await logins.deleteAttemptsBefore(this.db, now - DAY_MS);
    await setupTokens.deleteExpiredBefore(this.db, now - DAY_MS);
    return n;
  }
}
