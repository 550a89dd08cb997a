import type { Knex } from "knex";

/** A one-time code texted for the phone join (`phone_otps`): only its salted HMAC is kept. */
export type PhoneCodeRow = {
  id: number;
  phone: string;
  user_id: number;
  salt: string;
  code_hash: string;
  attempts: number;
  expires_at: number | string;
  created_at: number | string;
  closed_at: number | string | null;
};

/** Closes the number's open code, if any (a newer one replaces it). */
export async function closeOpenFor(db: Knex, phone: string, now: number): Promise<void> {
  await db("phone_otps").where({ phone }).whereNull("closed_at").update({ closed_at: now });
}

export async function insertCode(db: Knex, row: Omit<PhoneCodeRow, "id">): Promise<number> {
  const [id] = await db("phone_otps").insert(row);
  return Number(id);
}

/** The number's newest open code. */
export async function newestOpenFor(db: Knex, phone: string): Promise<PhoneCodeRow | undefined> {
  return db("phone_otps").where({ phone }).whereNull("closed_at").orderBy("id", "desc").first();
}

export async function byId(db: Knex, id: number): Promise<PhoneCodeRow | undefined> {
  return db("phone_otps").where({ id }).first();
}

/** Takes one of the open code's tries; false when it is closed or has none left. */
export async function takeTry(db: Knex, id: number, maxTries: number): Promise<boolean> {
  const tried = await db("phone_otps")
    .where({ id })
    .whereNull("closed_at")
    .where("attempts", "<", maxTries)
    .increment("attempts", 1);
  return Number(tried) === 1;
}

/** Closes the code (used); false when another request closed it first. */
export async function close(db: Knex, id: number, now: number): Promise<boolean> {
  const closed = await db("phone_otps").where({ id }).whereNull("closed_at").update({ closed_at: now });
  return Number(closed) === 1;
}

/** Forgets the codes that expired at or before `before`. */
export async function deleteExpiredBy(db: Knex, before: number): Promise<void> {
  await db("phone_otps").where("expires_at", "<=", before).delete();
}
