import { ValidationError } from "../core/errors.js";
import { type Actor, type EventBus, says } from "../core/events.js";
import { zodFieldMessages } from "../core/validation.js";
import type { SettingsService } from "../settings/index.js";
import { PRIVACY_DEFAULTS, type PrivacySettings, privacySettingsSchema } from "./privacy-settings.schema.js";

const PREFIX = "privacy.";
const CACHE_MS = 5_000;

/**
 * Privacy and security settings (Administration › Privacy): how long records are kept and
 * which network addresses printers and webhooks may have. Stored beside the organization's
 * own settings, under keys of their own.
 */
export class PrivacySettingsService {
  private cache: { at: number; value: PrivacySettings } | null = null;

  constructor(
    private store: Pick<SettingsService, "readKeys" | "writeKeys">,
    private events: EventBus,
    private defaults: PrivacySettings = PRIVACY_DEFAULTS,
  ) {}

  /** Cached for a few seconds; other instances catch up within that. */
  async get(): Promise<PrivacySettings> {
    if (this.cache && Date.now() - this.cache.at < CACHE_MS) return this.cache.value;
    const keys = Object.keys(this.defaults).map((k) => PREFIX + k);
    const rows = await this.store.readKeys(keys);
    const stored = Object.fromEntries(Object.entries(rows).map(([key, value]) => [key.slice(PREFIX.length), value]));
    const value = { ...this.defaults, ...Object.fromEntries(Object.entries(stored).filter(([, v]) => v !== null)) };
    this.cache = { at: Date.now(), value };
    return value;
  }

  async update(raw: Record<string, unknown>, actor: Actor): Promise<PrivacySettings> {
    const parsed = privacySettingsSchema.safeParse({ ...(await this.get()), ...raw });
    if (!parsed.success) throw new ValidationError(zodFieldMessages(parsed.error));
    await this.store.writeKeys(Object.fromEntries(Object.entries(parsed.data).map(([key, value]) => [PREFIX + key, value])));
    this.cache = null;
    await this.events.emit("settings.updated", {
      actor,
      ...says("privacyChanged", { keys: Object.keys(raw).join(", ") }),
    });
    return this.get();
  }
}
