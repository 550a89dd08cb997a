import type { Knex } from "knex";
import { z } from "zod";
import { fromDbJson, nowMs, toDbJson } from "../core/db/convert.js";
import { ValidationError } from "../core/errors.js";
import type { Actor, EventBus } from "../core/events.js";
import { zodFieldErrors } from "../people/index.js";

const days = (max: number) =>
  z.coerce
    .number({ invalid_type_error: "must be a whole number of days" })
    .int("must be a whole number of days")
    .min(0, "must be 0 (keep forever) or more")
    .max(max, `must be at most ${max} days`);

/**
 * Privacy and security settings (Administration › Privacy): how long records are kept and
 * which network addresses printers and webhooks may have. Stored in the `settings` table
 * beside the organization's own, under keys of their own.
 */
export const privacySettingsSchema = z.object({
  /** Printers and webhooks may be on loopback, link-local and (webhooks) private addresses. */
  allowInternalAddresses: z.preprocess((v) => v === true || v === "true" || v === "on" || v === "1", z.boolean()),
  /** Days the audit trail is kept; 0 keeps it forever. */
  auditRetentionDays: days(3650),
  /** Days sent and failed emails, SMS and webhook calls are kept (with their .eml files). */
  deliveryRetentionDays: days(3650),
  /** Days finished print jobs and batches are kept. */
  printRetentionDays: days(3650),
  /** Days the kiosk history (who was shown on which screen) is kept. */
  kioskRetentionDays: days(3650),
});
export type PrivacySettings = z.infer<typeof privacySettingsSchema>;

/** Defaults: long enough to answer "what happened?", short enough not to keep people forever. */
export const PRIVACY_DEFAULTS: PrivacySettings = {
  allowInternalAddresses: false,
  auditRetentionDays: 365,
  deliveryRetentionDays: 90,
  printRetentionDays: 90,
  kioskRetentionDays: 30,
};

const PREFIX = "privacy.";
const CACHE_MS = 5_000;

export class PrivacySettingsService {
  private cache: { at: number; value: PrivacySettings } | null = null;

  constructor(
    private db: Knex,
    private events: EventBus,
    private defaults: PrivacySettings = PRIVACY_DEFAULTS,
  ) {}

  /** Cached for a few seconds; other instances catch up within that. */
  async get(): Promise<PrivacySettings> {
    if (this.cache && Date.now() - this.cache.at < CACHE_MS) return this.cache.value;
    const keys = Object.keys(this.defaults).map((k) => PREFIX + k);
    const rows: Array<{ key: string; value: string }> = await this.db("settings").whereIn("key", keys).select("key", "value");
    const stored = Object.fromEntries(rows.map((r) => [r.key.slice(PREFIX.length), fromDbJson(r.value, null)]));
    const value = { ...this.defaults, ...Object.fromEntries(Object.entries(stored).filter(([, v]) => v !== null)) };
    this.cache = { at: Date.now(), value };
    return value;
  }

  async update(raw: Record<string, unknown>, actor: Actor): Promise<PrivacySettings> {
    const parsed = privacySettingsSchema.safeParse({ ...(await this.get()), ...raw });
    if (!parsed.success) throw new ValidationError(zodFieldErrors(parsed.error));
    const now = nowMs();
    await this.db.transaction(async (trx) => {
      for (const [key, value] of Object.entries(parsed.data)) {
        await trx("settings")
          .insert({ key: PREFIX + key, value: toDbJson(value), updated_at: now })
          .onConflict("key")
          .merge();
      }
    });
    this.cache = null;
    await this.events.emit("settings.updated", {
      actor,
      summary: `Changed privacy settings: ${Object.keys(raw).join(", ")}`,
    });
    return this.get();
  }
}
