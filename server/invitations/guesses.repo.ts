import type { Knex } from "knex";

/** Whose attempts are counted: a limiter's bucket (`invitation`, `kiosk-pair`, …) and one client in it. */
export type GuessKey = { bucket: string; client: string };

/** Attempts of one client since `since` (exclusive), and when the oldest of them was made. */
export async function countSince(db: Knex, key: GuessKey, since: number): Promise<{ n: number; oldest: number | null }> {
  const row = await db("guess_failures").where(key).where("at", ">", since).count({ n: "*" }).min({ oldest: "at" }).first();
  return { n: Number(row?.n ?? 0), oldest: row?.oldest === null || row?.oldest === undefined ? null : Number(row.oldest) };
}

/** Attempts since `since` of each of these clients that has any: one statement for them all. */
export async function countSinceMany(
  db: Knex,
  bucket: string,
  clients: string[],
  since: number,
): Promise<Array<{ client: string; n: number; oldest: number }>> {
  const rows: Array<{ client: string; n: unknown; oldest: unknown }> = await db("guess_failures")
    .select("client")
    .where({ bucket })
    .whereIn("client", [...new Set(clients)])
    .where("at", ">", since)
    .groupBy("client")
    .count({ n: "*" })
    .min({ oldest: "at" });
  return rows.map((r) => ({ client: r.client, n: Number(r.n), oldest: Number(r.oldest) }));
}

/** Counts one attempt; returns its id (to take it back). */
export async function insertAttempt(db: Knex, key: GuessKey, at: number): Promise<number> {
  const [id] = await db("guess_failures").insert({ ...key, at });
  return Number(id);
}

/** Takes back one attempt (it succeeded). */
export async function deleteAttempt(db: Knex, id: number): Promise<void> {
  await db("guess_failures").where({ id }).delete();
}

/** Forgets the bucket's attempts made at or before `before`. */
export async function deleteUpTo(db: Knex, bucket: string, before: number): Promise<void> {
  await db("guess_failures").where("bucket", bucket).where("at", "<=", before).delete();
}
