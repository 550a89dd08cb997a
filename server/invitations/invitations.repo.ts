import type { Knex } from "knex";
import type { PlannedWrites } from "../core/db/planned-writes.js";
import { groupBy } from "../core/group-by.js";

export type InvitationRow = {
  id: number;
  user_id: number;
  nonce: string;
  token_hash: string;
  code_hash: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  revoke_reason: string | null;
  used_at: number | null;
  used_channel: string | null;
  open_user_id: number | null;
};

const norm = (r: InvitationRow | undefined): InvitationRow | undefined =>
  r && {
    ...r,
    id: Number(r.id),
    user_id: Number(r.user_id),
    created_at: Number(r.created_at),
    expires_at: r.expires_at === null ? null : Number(r.expires_at),
    revoked_at: r.revoked_at === null ? null : Number(r.revoked_at),
    used_at: r.used_at === null ? null : Number(r.used_at),
    open_user_id: r.open_user_id === null ? null : Number(r.open_user_id),
  };

/** A person's current invitation: their newest. */
export async function currentFor(db: Knex, userId: number): Promise<InvitationRow | undefined> {
  return norm(await db("invitations").where({ user_id: userId }).orderBy("id", "desc").first());
}

/** The current (newest) invitation of each of these people, in one query per 500. */
export async function currentForMany(db: Knex, userIds: number[]): Promise<Map<number, InvitationRow>> {
  const found = new Map<number, InvitationRow>();
  for (let i = 0; i < userIds.length; i += 500) {
    const rows: InvitationRow[] = await db("invitations")
      .whereIn("user_id", userIds.slice(i, i + 500))
      .orderBy("id", "asc");
    for (const row of rows) found.set(Number(row.user_id), norm(row) as InvitationRow);
  }
  return found;
}

export async function byTokenHashes(db: Knex, tokenHashes: string[]): Promise<Map<string, InvitationRow>> {
  const rows = await db("invitations").whereIn("token_hash", tokenHashes);
  return new Map(rows.map((r) => [r.token_hash as string, norm(r) as InvitationRow]));
}

export async function byId(db: Knex, id: number): Promise<InvitationRow | undefined> {
  return norm(await db("invitations").where({ id }).first());
}

export async function byCodeHash(db: Knex, codeHash: string): Promise<InvitationRow | undefined> {
  return norm(await db("invitations").where({ code_hash: codeHash }).first());
}

export async function insertInvitation(db: Knex, row: Omit<InvitationRow, "id">): Promise<number> {
  const [id] = await db("invitations").insert(row);
  return Number(id);
}

/** Ends every open invitation of the person; returns how many were open. */
export async function revokeOpen(db: Knex, userId: number, reason: string, now: number): Promise<number> {
  const n = await db("invitations")
    .where({ open_user_id: userId })
    .update({ revoked_at: now, revoke_reason: reason, open_user_id: null });
  return Number(n);
}

/** Marks an open, unexpired invitation used; false when another request got there first. */
/** Records the first opening of an invitation's link; true only for the first. */
export async function markOpened(db: Knex, id: number, now: number): Promise<boolean> {
  const n = await db("invitations").where({ id }).whereNull("opened_at").update({ opened_at: now });
  return Number(n) === 1;
}

export async function markUsed(db: Knex, id: number, channel: string, now: number): Promise<boolean> {
  const n = await db("invitations")
    .where({ id })
    .whereNotNull("open_user_id")
    .where((q) => q.whereNull("expires_at").orWhere("expires_at", ">", now))
    .update({ used_at: now, used_channel: channel, open_user_id: null });
  return Number(n) === 1;
}

/** markUsed for many at once, as writes for the caller's transaction: they hold when every one was still open. */
export function planMarkAllUsed(trx: Knex, uses: Array<{ id: number; channel: string }>, now: number): PlannedWrites {
  return {
    writes: [...groupBy(uses, (u) => u.channel)].map(([channel, same]) =>
      trx("invitations")
        .whereIn(
          "id",
          same.map((u) => u.id),
        )
        .whereNotNull("open_user_id")
        .where((q) => q.whereNull("expires_at").orWhere("expires_at", ">", now))
        .update({ used_at: now, used_channel: channel, open_user_id: null }),
    ),
    holds: (counts) => counts.reduce((sum, n) => sum + n, 0) === uses.length,
  };
}

/** True for the unique-index violation of a second open invitation. */
export function isOpenInvitationClash(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    e?.code === "ER_DUP_ENTRY" ||
    e?.code === "SQLITE_CONSTRAINT_UNIQUE" ||
    /UNIQUE constraint failed|Duplicate entry/i.test(e?.message ?? "")
  );
}
