import type { Knex } from "knex";
import type { ApiKey, Scope } from "../core/auth/principals.js";
import { fromDbJson, fromDbTime, toDbJson } from "../core/db/convert.js";

type Row = {
  id: number;
  name: string;
  prefix: string;
  scopes: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
};

const toKey = (r: Row): ApiKey => ({
  id: Number(r.id),
  name: r.name,
  prefix: r.prefix,
  scopes: fromDbJson<Scope[]>(r.scopes, []),
  createdAt: fromDbTime(r.created_at) as string,
  lastUsedAt: fromDbTime(r.last_used_at),
  revokedAt: fromDbTime(r.revoked_at),
});

export async function insertKey(
  db: Knex,
  k: { name: string; prefix: string; keyHash: string; scopes: Scope[]; createdBy: number | null; now: number },
): Promise<number> {
  const [id] = await db("api_keys").insert({
    name: k.name,
    prefix: k.prefix,
    key_hash: k.keyHash,
    scopes: toDbJson(k.scopes),
    created_by: k.createdBy,
    created_at: k.now,
  });
  return Number(id);
}

export async function findKey(db: Knex, id: number): Promise<ApiKey | undefined> {
  const row = await db("api_keys").where({ id }).first();
  return row ? toKey(row) : undefined;
}

export async function listKeys(db: Knex): Promise<ApiKey[]> {
  return (await db("api_keys").orderBy("created_at", "desc")).map(toKey);
}

export async function revokeKey(db: Knex, id: number, now: number): Promise<void> {
  await db("api_keys").where({ id }).whereNull("revoked_at").update({ revoked_at: now });
}

/** The key of this digest unless revoked, with when it was last used (ms). */
export async function findActiveByHash(
  db: Knex,
  keyHash: string,
): Promise<{ key: ApiKey; lastUsedAt: number | null } | undefined> {
  const row: Row | undefined = await db("api_keys").where({ key_hash: keyHash }).whereNull("revoked_at").first();
  if (!row) return undefined;
  return { key: toKey(row), lastUsedAt: row.last_used_at ? Number(row.last_used_at) : null };
}

export async function touchKey(db: Knex, id: number, now: number): Promise<void> {
  await db("api_keys").where({ id }).update({ last_used_at: now });
}
