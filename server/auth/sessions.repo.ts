import type { Knex } from "knex";
import * as admins from "./admins.repo.js";

export async function insertSession(
  db: Knex,
  s: { idHash: string; adminId: number; now: number; expiresAt: number; ip: string | null; userAgent: string | null },
): Promise<void> {
  await db("sessions").insert({
    id_hash: s.idHash,
    admin_id: s.adminId,
    created_at: s.now,
    expires_at: s.expiresAt,
    last_seen_at: s.now,
    ip: s.ip,
    user_agent: s.userAgent,
  });
}

/** The session with its admin, in one round trip (one per page view). */
export async function findWithAdmin(db: Knex, idHash: string) {
  const row = await db("sessions")
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
  if (!row) return undefined;
  return {
    createdAt: Number(row.session_created_at),
    expiresAt: Number(row.expires_at),
    lastSeenAt: Number(row.last_seen_at),
    disabled: Boolean(row.disabled_at),
    admin: admins.toAdmin(row),
  };
}

export async function touch(db: Knex, idHash: string, now: number, expiresAt: number): Promise<void> {
  await db("sessions").where({ id_hash: idHash }).update({ last_seen_at: now, expires_at: expiresAt });
}

/** Of these digests, those of sessions expiring after `now`, created after `createdAfter`, of an enabled admin. */
export async function validHashes(db: Knex, idHashes: string[], now: number, createdAfter: number): Promise<string[]> {
  const rows: Array<{ id_hash: string }> = await db("sessions")
    .join("admins", "admins.id", "sessions.admin_id")
    .whereIn("sessions.id_hash", idHashes)
    .whereNull("admins.disabled_at")
    .where("sessions.expires_at", ">", now)
    .where("sessions.created_at", ">", createdAfter)
    .select("sessions.id_hash");
  return rows.map((r) => r.id_hash);
}

export async function deleteSession(db: Knex, idHash: string): Promise<void> {
  await db("sessions").where({ id_hash: idHash }).delete();
}

export async function deleteSessionsOf(db: Knex, adminId: number): Promise<void> {
  await db("sessions").where({ admin_id: adminId }).delete();
}

/** Sessions expired by `now` or created before `createdBefore`; how many. */
export async function deleteEnded(db: Knex, now: number, createdBefore: number): Promise<number> {
  return db("sessions").where("expires_at", "<=", now).orWhere("created_at", "<=", createdBefore).delete();
}
