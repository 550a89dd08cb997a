import type { Knex } from "knex";
import { fromDbTime } from "../core/db/convert.js";

/**
 * What other features keep about one person, read for an access request. These reads cross
 * the features' tables on purpose: the export must show what is stored, table by table, and
 * never the secrets (link and code digests, nonces, one-time code hashes).
 */
export async function invitationsOf(db: Knex, userId: number) {
  const rows = await db("invitations")
    .where({ user_id: userId })
    .orderBy("id", "asc")
    .select("id", "created_at", "expires_at", "revoked_at", "revoke_reason", "used_at", "used_channel");
  return rows.map((r: Record<string, unknown>) => ({
    id: Number(r.id),
    createdAt: fromDbTime(r.created_at),
    expiresAt: fromDbTime(r.expires_at),
    revokedAt: fromDbTime(r.revoked_at),
    revokeReason: r.revoke_reason ?? null,
    usedAt: fromDbTime(r.used_at),
    usedChannel: r.used_channel ?? null,
  }));
}

export async function printHistoryOf(db: Knex, userId: number) {
  const rows = await db("print_job_people as p")
    .join("print_jobs as j", "j.id", "p.job_id")
    .where("p.user_id", userId)
    .orderBy("j.id", "asc")
    .select("j.id", "j.printer_name", "j.kind", "j.status", "j.created_at", "j.completed_at", "j.created_by");
  const queued = await db("print_queue").where({ user_id: userId }).select("queued_at", "queued_by", "printer_id").first();
  return {
    jobs: rows.map((r: Record<string, unknown>) => ({
      id: Number(r.id),
      printer: r.printer_name,
      kind: r.kind,
      status: r.status,
      createdBy: r.created_by ?? null,
      createdAt: fromDbTime(r.created_at),
      completedAt: fromDbTime(r.completed_at),
    })),
    waitingForTonight: queued
      ? { queuedAt: fromDbTime(queued.queued_at), queuedBy: queued.queued_by ?? null, printerId: queued.printer_id ?? null }
      : null,
  };
}

export async function kioskHistoryOf(db: Knex, userId: number) {
  const rows = await db("kiosk_entries as e")
    .join("kiosks as k", "k.id", "e.kiosk_id")
    .where("e.user_id", userId)
    .orderBy("e.id", "asc")
    .select("k.name", "e.added_at", "e.shown_at", "e.expires_at", "e.welcome_until");
  return rows.map((r: Record<string, unknown>) => ({
    kiosk: r.name,
    addedAt: fromDbTime(r.added_at),
    shownAt: fromDbTime(r.shown_at),
    expiresAt: fromDbTime(r.expires_at),
    welcomedUntil: fromDbTime(r.welcome_until),
  }));
}

export async function phoneCodesOf(db: Knex, userId: number) {
  const rows = await db("phone_otps")
    .where({ user_id: userId })
    .orderBy("id", "asc")
    .select("phone", "attempts", "created_at", "expires_at", "closed_at");
  return rows.map((r: Record<string, unknown>) => ({
    phone: r.phone,
    attempts: Number(r.attempts),
    sentAt: fromDbTime(r.created_at),
    expiresAt: fromDbTime(r.expires_at),
    closedAt: fromDbTime(r.closed_at),
  }));
}

export async function importOriginOf(db: Knex, userId: number) {
  const row = await db("users as u")
    .leftJoin("imports as i", "i.id", "u.import_id")
    .where("u.id", userId)
    .select("u.import_id", "u.import_row", "i.filename", "i.created_at")
    .first();
  if (!row?.import_id) return null;
  return {
    importId: Number(row.import_id),
    line: row.import_row,
    file: row.filename ?? null,
    importedAt: fromDbTime(row.created_at),
  };
}
