import type { Knex } from "knex";
import { z } from "zod";
import { type ApiKey, SCOPES, type Scope } from "../core/auth/principals.js";
import { fromDbJson, fromDbTime, nowMs, toDbJson } from "../core/db/convert.js";
import { NotFoundError, ValidationError } from "../core/errors.js";
import type { Actor, EventBus } from "../core/events.js";
import { digest, newSecret } from "../core/tokens.js";

export { type ApiKey, SCOPES, type Scope } from "../core/auth/principals.js";
export const DEFAULT_SCOPES: Scope[] = ["users", "groups", "invitations", "kiosks", "printers"];

const nameSchema = z
  .string({ required_error: "Name is required" })
  .trim()
  .min(1, "Name is required")
  .max(100, "must be at most 100 characters");

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

export function parseScopes(raw: unknown): Scope[] {
  if (raw === undefined || raw === null || raw === "") return DEFAULT_SCOPES;
  const list = (Array.isArray(raw) ? raw : String(raw).split(",")).map((s) => String(s).trim()).filter(Boolean);
  const unknown = list.filter((s) => !SCOPES.includes(s as Scope));
  if (unknown.length) throw new ValidationError({ scopes: `unknown scope ${unknown.join(", ")}; known: ${SCOPES.join(", ")}` });
  if (!list.length) throw new ValidationError({ scopes: "choose at least one scope" });
  return [...new Set(list)] as Scope[];
}

/**
 * API keys: `isk_<prefix>_<secret>`, shown once, stored as a SHA-256 digest (a key has
 * 256 random bits, so a slow KDF would add latency to every call and no safety).
 */
export class ApiKeysService {
  constructor(
    private db: Knex,
    private events: EventBus,
  ) {}

  async create(
    rawName: unknown,
    rawScopes: unknown,
    actor: Actor,
    createdBy: number | null,
  ): Promise<{ key: string; apiKey: ApiKey }> {
    const name = nameSchema.safeParse(rawName);
    if (!name.success) throw new ValidationError({ name: name.error.issues[0]?.message ?? "is invalid" });
    const scopes = parseScopes(rawScopes);
    const prefix = newSecret(6).slice(0, 8);
    const key = `isk_${prefix}_${newSecret(32)}`;
    const [id] = await this.db("api_keys").insert({
      name: name.data,
      prefix,
      key_hash: digest(key),
      scopes: toDbJson(scopes),
      created_by: createdBy,
      created_at: nowMs(),
    });
    await this.events.emit("apikey.created", {
      actor,
      summary: `Created API key #${id} (${scopes.join(", ")})`,
      target: { type: "apikey", id: Number(id) },
    });
    return { key, apiKey: await this.get(Number(id)) };
  }

  async get(id: number): Promise<ApiKey> {
    const row = await this.db("api_keys").where({ id }).first();
    if (!row) throw new NotFoundError(`API key #${id} does not exist.`);
    return toKey(row);
  }

  async list(): Promise<ApiKey[]> {
    return (await this.db("api_keys").orderBy("created_at", "desc")).map(toKey);
  }

  async revoke(id: number, actor: Actor): Promise<void> {
    await this.get(id);
    await this.db("api_keys").where({ id }).whereNull("revoked_at").update({ revoked_at: nowMs() });
    await this.events.emit("apikey.revoked", { actor, summary: `Revoked API key #${id}`, target: { type: "apikey", id } });
  }

  /** The key for a bearer token, or undefined; records when it was last used (once a minute). */
  async authenticate(token: string): Promise<ApiKey | undefined> {
    if (!/^isk_[\w-]{8}_[\w-]{43}$/.test(token)) return undefined;
    const row = await this.db("api_keys")
      .where({ key_hash: digest(token) })
      .whereNull("revoked_at")
      .first();
    if (!row) return undefined;
    const now = nowMs();
    if (!row.last_used_at || now - Number(row.last_used_at) > 60_000) {
      await this.db("api_keys").where({ id: row.id }).update({ last_used_at: now });
    }
    return toKey(row);
  }
}
