import type { Knex } from "knex";

export async function insertSetupToken(db: Knex, tokenHash: string, now: number, expiresAt: number): Promise<void> {
  await db("setup_tokens").insert({ token_hash: tokenHash, created_at: now, expires_at: expiresAt });
}

export async function findSetupToken(
  db: Knex,
  tokenHash: string,
): Promise<{ used_at: number | null; expires_at: number } | undefined> {
  return db("setup_tokens").where({ token_hash: tokenHash }).first();
}

/** Marks an unused, unexpired link as used; 1 when it was, 0 otherwise. */
export async function useSetupToken(db: Knex, tokenHash: string, now: number): Promise<number> {
  return db("setup_tokens")
    .where({ token_hash: tokenHash })
    .whereNull("used_at")
    .where("expires_at", ">", now)
    .update({ used_at: now });
}

export async function deleteExpiredBefore(db: Knex, before: number): Promise<void> {
  await db("setup_tokens").where("expires_at", "<=", before).delete();
}
