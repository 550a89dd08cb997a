import type { Knex } from "knex";
import type { ApiKey, ApiKeyLookup } from "../core/auth/principals.js";
import { nowMs } from "../core/db/convert.js";
import { NotFoundError, ValidationError } from "../core/errors.js";
import { type Actor, type EventBus, says } from "../core/events.js";
import { message } from "../core/message.js";
import { digest, newSecret } from "../core/tokens.js";
import { issueMessage } from "../core/validation.js";
import * as repo from "./apikeys.repo.js";
import { apiKeyNameSchema, parseScopes } from "./apikeys.schema.js";

/**
 * API keys: `isk_<prefix>_<secret>`, shown once, stored as a SHA-256 digest (a key has
 * 256 random bits, so a slow KDF would add latency to every call and no safety).
 */
export class ApiKeysService implements ApiKeyLookup {
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
    const name = apiKeyNameSchema.safeParse(rawName);
    if (!name.success) {
      const issue = name.error.issues[0];
      throw new ValidationError({ name: issue ? issueMessage(issue) : message("validation:invalid") });
    }
    const scopes = parseScopes(rawScopes);
    const prefix = newSecret(6).slice(0, 8);
    const key = `isk_${prefix}_${newSecret(32)}`;
    const id = await repo.insertKey(this.db, { name: name.data, prefix, keyHash: digest(key), scopes, createdBy, now: nowMs() });
    await this.events.emit("apikey.created", {
      actor,
      ...says("apikeyCreated", { id, scopes: scopes.join(", ") }),
      target: { type: "apikey", id },
    });
    return { key, apiKey: await this.get(id) };
  }

  async get(id: number): Promise<ApiKey> {
    const key = await repo.findKey(this.db, id);
    if (!key) throw new NotFoundError(message("errors:apikeyNotFound", { id }));
    return key;
  }

  list(): Promise<ApiKey[]> {
    return repo.listKeys(this.db);
  }

  async revoke(id: number, actor: Actor): Promise<void> {
    await this.get(id);
    await repo.revokeKey(this.db, id, nowMs());
    await this.events.emit("apikey.revoked", { actor, ...says("apikeyRevoked", { id }), target: { type: "apikey", id } });
  }

  /** The key for a bearer token, or undefined; records when it was last used (once a minute). */
  async authenticate(token: string): Promise<ApiKey | undefined> {
    if (!/^isk_[\w-]{8}_[\w-]{43}$/.test(token)) return undefined;
    const found = await repo.findActiveByHash(this.db, digest(token));
    if (!found) return undefined;
    const now = nowMs();
    if (!found.lastUsedAt || now - found.lastUsedAt > 60_000) await repo.touchKey(this.db, found.key.id, now);
    return found.key;
  }
}
