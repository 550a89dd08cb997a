import type { Knex } from "knex";
import { groupBy } from "../server/core/group-by.js";

export type KioskRow = {
  id: number;
  name: string;
  site: string | null;
  language: string;
  rotate_seconds: number | null;
  idle_message: string | null;
  credential_hash: string | null;
  paired_at: number | null;
  enroll_nonce: string | null;
  enroll_hash: string | null;
  enroll_expires_at: number | null;
  last_seen_at: number | null;
  created_at: number;
  updated_at: number;
};

export type EntryRow = {
  id: number;
  kiosk_id: number;
  user_id: number;
  added_at: number;
  shown_at: number | null;
  expires_at: number | null;
  welcome_until: number | null;
  first_name: string;
  last_name: string;
  language: string;
};

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

const toKiosk = (r: Record<string, unknown>): KioskRow => ({
  ...(r as KioskRow),
  id: Number(r.id),
  rotate_seconds: num(r.rotate_seconds),
  paired_at: num(r.paired_at),
  enroll_expires_at: num(r.enroll_expires_at),
  last_seen_at: num(r.last_seen_at),
  created_at: Number(r.created_at),
  updated_at: Number(r.updated_at),
});

const toEntry = (r: Record<string, unknown>): EntryRow => ({
  ...(r as EntryRow),
  id: Number(r.id),
  kiosk_id: Number(r.kiosk_id),
  user_id: Number(r.user_id),
  added_at: Number(r.added_at),
  shown_at: num(r.shown_at),
  expires_at: num(r.expires_at),
  welcome_until: num(r.welcome_until),
});

export async function all(db: Knex): Promise<KioskRow[]> {
  return (await db("kiosks").orderBy("name").orderBy("id")).map(toKiosk);
}

export async function byId(db: Knex, id: number): Promise<KioskRow | undefined> {
  const r = await db("kiosks").where({ id }).first();
  return r && toKiosk(r);
}

/** The kiosks of these ids (unknown ones left out), in no particular order. */
export async function byIds(db: Knex, ids: number[]): Promise<KioskRow[]> {
  return (await db("kiosks").whereIn("id", ids)).map(toKiosk);
}

export async function byColumn(
  db: Knex,
  column: "credential_hash" | "enroll_hash",
  value: string,
): Promise<KioskRow | undefined> {
  const r = await db("kiosks").where(column, value).first();
  return r && toKiosk(r);
}

export async function insert(db: Knex, row: Omit<KioskRow, "id">): Promise<number> {
  const [id] = await db("kiosks").insert(row);
  return Number(id);
}

export async function update(db: Knex, id: number, fields: Partial<KioskRow>): Promise<number> {
  return Number(await db("kiosks").where({ id }).update(fields));
}

/** Updates the kiosk only while its enrolment link is still this one; false when another request used or replaced it. */
export async function useEnrollLink(
  db: Knex,
  id: number,
  enrollHash: string | null,
  fields: Partial<KioskRow>,
): Promise<boolean> {
  return Number(await db("kiosks").where({ id, enroll_hash: enrollHash }).update(fields)) === 1;
}

export async function remove(db: Knex, id: number): Promise<number> {
  return Number(await db("kiosks").where({ id }).delete());
}

export async function touch(db: Knex, ids: number[], now: number): Promise<void> {
  if (ids.length) await db("kiosks").whereIn("id", ids).update({ last_seen_at: now });
}

// Pairing requests of unpaired screens.

export type PairingRow = { id: number; secret_hash: string; code_hash: string; expires_at: number; kiosk_id: number | null };

const toPairing = (r: Record<string, unknown>): PairingRow => ({
  id: Number(r.id),
  secret_hash: r.secret_hash as string,
  code_hash: r.code_hash as string,
  expires_at: Number(r.expires_at),
  kiosk_id: num(r.kiosk_id),
});

export async function insertPairing(db: Knex, row: Omit<PairingRow, "id"> & { created_at: number }): Promise<number> {
  const [id] = await db("kiosk_pairings").insert(row);
  return Number(id);
}

export async function pairingBy(db: Knex, column: "secret_hash" | "code_hash", value: string): Promise<PairingRow | undefined> {
  const r = await db("kiosk_pairings").where(column, value).first();
  return r && toPairing(r);
}

/** Ties an open, unclaimed pairing to a kiosk; false when it was claimed or expired meanwhile. */
export async function claimPairing(db: Knex, id: number, kioskId: number, now: number): Promise<boolean> {
  const n = await db("kiosk_pairings")
    .where({ id })
    .whereNull("kiosk_id")
    .where("expires_at", ">", now)
    .update({ kiosk_id: kioskId });
  return Number(n) === 1;
}

export async function deletePairing(db: Knex, id: number): Promise<void> {
  await db("kiosk_pairings").where({ id }).delete();
}

export async function prunePairings(db: Knex, now: number): Promise<number> {
  return Number(await db("kiosk_pairings").where("expires_at", "<=", now).delete());
}

// What kiosks show.

const ENTRY_COLUMNS = [
  "kiosk_entries.id",
  "kiosk_entries.kiosk_id",
  "kiosk_entries.user_id",
  "kiosk_entries.added_at",
  "kiosk_entries.shown_at",
  "kiosk_entries.expires_at",
  "kiosk_entries.welcome_until",
  "users.first_name",
  "users.last_name",
  "users.language",
];

/** The kiosks' entries, shown first and then waiting, each in the order they were added. */
export async function entriesOf(db: Knex, kioskIds: number[]): Promise<EntryRow[]> {
  if (!kioskIds.length) return [];
  const rows = await db("kiosk_entries")
    .join("users", "users.id", "kiosk_entries.user_id")
    .whereIn("kiosk_entries.kiosk_id", kioskIds)
    .select(ENTRY_COLUMNS)
    .orderBy("kiosk_entries.id");
  return rows.map(toEntry);
}

/** Adds the person to the kiosk, or (shown already) leaves the entry as it is; true when added. */
export async function addEntry(db: Knex, kioskId: number, userId: number, now: number): Promise<boolean> {
  const existing = await db("kiosk_entries").where({ kiosk_id: kioskId, user_id: userId }).first();
  if (existing) return false;
  try {
    await db("kiosk_entries").insert({ kiosk_id: kioskId, user_id: userId, added_at: now });
    return true;
  } catch (err) {
    // Two requests at once: the other one added it.
    if (/UNIQUE constraint failed|Duplicate entry/i.test((err as Error).message)) return false;
    throw err;
  }
}

export async function removeEntry(db: Knex, kioskId: number, userId: number): Promise<number> {
  return Number(await db("kiosk_entries").where({ kiosk_id: kioskId, user_id: userId }).delete());
}

/** Entries whose time is up (shown long enough, or welcomed); returns the kiosks they were on. */
export async function expireEntries(db: Knex, kioskIds: number[] | null, now: number): Promise<number[]> {
  const q = () => {
    const b = db("kiosk_entries").where((w) => w.where("expires_at", "<=", now).orWhere("welcome_until", "<=", now));
    return kioskIds ? b.whereIn("kiosk_id", kioskIds) : b;
  };
  const gone = await q().distinct("kiosk_id");
  if (!gone.length) return [];
  await q().delete();
  return gone.map((r) => Number(r.kiosk_id));
}

/** Shows waiting entries in the free tiles (oldest first), their display time starting now. */
export async function promote(db: Knex, kioskId: number, freeTiles: number, now: number, displayMs: number): Promise<void> {
  if (freeTiles <= 0) return;
  const waiting = await db("kiosk_entries")
    .where({ kiosk_id: kioskId })
    .whereNull("shown_at")
    .orderBy("id")
    .limit(freeTiles)
    .pluck("id");
  if (waiting.length)
    await db("kiosk_entries")
      .whereIn("id", waiting)
      .whereNull("shown_at")
      .update({ shown_at: now, expires_at: now + displayMs });
}

/** The kiosks showing each of these people (who have just joined); they get a welcome there. */
export async function welcome(db: Knex, userIds: number[], until: number): Promise<Map<number, number[]>> {
  const rows = await db("kiosk_entries").select("kiosk_id", "user_id").whereIn("user_id", userIds);
  const kiosks = new Map(
    [...groupBy(rows, (r) => Number(r.user_id))].map(([user, of]) => [user, of.map((r) => Number(r.kiosk_id))]),
  );
  if (!kiosks.size) return kiosks;
  // A waiting entry is welcomed too, and leaves without ever being shown.
  await db("kiosk_entries")
    .whereIn("user_id", [...kiosks.keys()])
    .update({ welcome_until: until });
  return kiosks;
}

export async function entriesOfUser(db: Knex, userId: number): Promise<number[]> {
  return (await db("kiosk_entries").where({ user_id: userId }).pluck("kiosk_id")).map(Number);
}

/** Pairing requests not yet expired (claimed or not). */
export async function countOpenPairings(db: Knex, now: number): Promise<number> {
  const row = await db("kiosk_pairings").where("expires_at", ">", now).count({ n: "*" }).first();
  return Number(row?.n ?? 0);
}
