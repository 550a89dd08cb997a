import type { Knex } from "knex";
import { toDbBool } from "../core/db/convert.js";

/** Sign-in attempts, written as failed before the password is checked and marked when it succeeds. */

export async function insertAttempt(db: Knex, a: { email: string; ip: string; at: number }): Promise<number> {
  const [id] = await db("login_attempts").insert({
    email_normalized: a.email,
    ip: a.ip,
    succeeded: toDbBool(false),
    at: a.at,
  });
  return Number(id);
}

export async function markSucceeded(db: Knex, id: number): Promise<void> {
  await db("login_attempts")
    .where({ id })
    .update({ succeeded: toDbBool(true) });
}

/** Failed attempts for the account between its previous success and attempt `id`. */
export async function failedBefore(db: Knex, email: string, id: number): Promise<number> {
  const previous = await db("login_attempts")
    .where({ email_normalized: email, succeeded: toDbBool(true) })
    .where("id", "<", id)
    .max({ id: "id" })
    .first();
  const failed = await db("login_attempts")
    .where({ email_normalized: email, succeeded: toDbBool(false) })
    .where("id", ">", Number(previous?.id ?? 0))
    .where("id", "<", id)
    .count({ n: "*" })
    .first();
  return Number(failed?.n ?? 0);
}

/** The account's latest success from this address (id and time), if any. */
export async function lastSuccess(db: Knex, email: string, ip: string) {
  return db("login_attempts")
    .where({ email_normalized: email, ip, succeeded: toDbBool(true) })
    .max({ id: "id", at: "at" })
    .first();
}

/** Failed attempts (or ones still being checked) of the account from this address after attempt `afterId` and time `since`. */
export async function failedOfPair(db: Knex, email: string, ip: string, afterId: number, since: number) {
  return db("login_attempts")
    .where({ email_normalized: email, ip, succeeded: toDbBool(false) })
    .where("id", ">", afterId)
    .where("at", ">", since)
    .count({ n: "*" })
    .max({ latest: "at" })
    .first();
}

export async function failedOfIp(db: Knex, ip: string, since: number) {
  return db("login_attempts")
    .where({ ip, succeeded: toDbBool(false) })
    .where("at", ">", since)
    .count({ n: "*" })
    .min({ oldest: "at" })
    .first();
}

export async function failedOfAccount(db: Knex, email: string, since: number) {
  return db("login_attempts")
    .where({ email_normalized: email, succeeded: toDbBool(false) })
    .where("at", ">", since)
    .count({ n: "*" })
    .first();
}

export async function deleteAttemptsBefore(db: Knex, before: number): Promise<void> {
  await db("login_attempts").where("at", "<=", before).delete();
}
