import type { Knex } from "knex";
import { nowMs } from "../core/db/convert.js";
import { digest, newSecret } from "../core/tokens.js";
import type { Admin } from "./admins.repo.js";
import * as admins from "./admins.repo.js";

const IDLE_MS = 8 * 60 * 60 * 1000;
const ABSOLUTE_MS = 7 * 24 * 60 * 60 * 1000;
const TOUCH_EVERY_MS = 60 * 1000;

export type Session = { idHash: string; admin: Admin };

/**
 * Server-side sessions: the cookie holds a random id, the database only its digest. A
 * session ends after 8 idle hours or 7 days, or when its admin is disabled.
 */
export class SessionStore {
  constructor(private db: Knex) {}

  async create(adminId: number, ip: string | null, userAgent: string | null): Promise<string> {
    const id = newSecret(32);
    const now = nowMs();
    await this.db("sessions").insert({
      id_hash: digest(id),
      admin_id: adminId,
      created_at: now,
      expires_at: now + IDLE_MS,
      last_seen_at: now,
      ip,
      user_agent: userAgent?.slice(0, 255) ?? null,
    });
    return id;
  }

  async load(id: string): Promise<Session | undefined> {
    const idHash = digest(id);
    const now = nowMs();
    // One round trip per page view: the session with its admin.
    const row = await this.db("sessions")
      .join("admins", "admins.id", "sessions.admin_id")
      .where("sessions.id_hash", idHash)
      .select(
        "sessions.created_at as session_created_at",
        "sessions.expires_at",
        "sessions.last_seen_at",
        "admins.id",
        "admins.email",
        "admins.name",
        "admins.role",
        "admins.created_at",
        "admins.disabled_at",
        "admins.language",
      )
      .first();
    if (!row || row.disabled_at || Number(row.expires_at) <= now || Number(row.session_created_at) + ABSOLUTE_MS <= now) {
      return undefined;
    }
    if (now - Number(row.last_seen_at) > TOUCH_EVERY_MS) {
      await this.db("sessions")
        .where({ id_hash: idHash })
        .update({ last_seen_at: now, expires_at: now + IDLE_MS });
    }
    return { idHash, admin: admins.toAdmin(row) };
  }

  /**
   * Which of these sessions (by digest) are still good: not ended, expired or of a disabled
   * admin. Unlike `load` it does not count as activity, so a page left open does not keep
   * its session alive.
   */
  async stillValid(idHashes: string[]): Promise<Set<string>> {
    if (!idHashes.length) return new Set();
    const now = nowMs();
    const rows: Array<{ id_hash: string }> = await this.db("sessions")
      .join("admins", "admins.id", "sessions.admin_id")
      .whereIn("sessions.id_hash", [...new Set(idHashes)])
      .whereNull("admins.disabled_at")
      .where("sessions.expires_at", ">", now)
      .where("sessions.created_at", ">", now - ABSOLUTE_MS)
      .select("sessions.id_hash");
    return new Set(rows.map((r) => r.id_hash));
  }

  async destroy(id: string): Promise<void> {
    await this.db("sessions")
      .where({ id_hash: digest(id) })
      .delete();
  }

  async destroyAllFor(adminId: number): Promise<void> {
    await this.db("sessions").where({ admin_id: adminId }).delete();
  }

  /** Removes expired sessions and old sign-in attempts; run by the job scheduler. */
  async prune(): Promise<number> {
    const now = nowMs();
    const n = await this.db("sessions")
      .where("expires_at", "<=", now)
      .orWhere("created_at", "<=", now - ABSOLUTE_MS)
      .delete();
    await this.db("login_attempts")
      .where("at", "<=", now - 24 * 60 * 60 * 1000)
      .delete();
    await this.db("setup_tokens")
      .where("expires_at", "<=", now - 24 * 60 * 60 * 1000)
      .delete();
    return n;
  }
}
