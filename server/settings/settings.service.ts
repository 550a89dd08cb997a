import type { Knex } from "knex";
import { nowMs } from "../core/db/convert.js";
import { SetupIncompleteError, ValidationError } from "../core/errors.js";
import { type Actor, type EventBus, says } from "../core/events.js";
import { zodFieldMessages } from "../core/validation.js";
import * as repo from "./settings.repo.js";
import { type Settings, settingsSchema } from "./settings.schema.js";

export type { Settings } from "./settings.schema.js";

/** What the organization set-up must have before anything is sent, printed or shown on a kiosk. */
export const SETUP_REQUIRED = ["organizationName", "appName"] as const;

const CACHE_MS = 5_000;

export class SettingsService {
  private cache: { at: number; value: Settings } | null = null;

  constructor(
    private db: Knex,
    private events: EventBus,
    private defaults: Settings,
  ) {}

  /** Cached for a few seconds: read on every page, changed rarely; other instances catch up within that. */
  async get(): Promise<Settings> {
    if (this.cache && Date.now() - this.cache.at < CACHE_MS) return this.cache.value;
    const stored = await repo.readEntries(this.db);
    const value = { ...this.defaults, ...Object.fromEntries(Object.entries(stored).filter(([, v]) => v !== null)) } as Settings;
    this.cache = { at: Date.now(), value };
    return value;
  }

  /** The set-up fields still empty (none once an admin saved them, or ORGANIZATION_NAME and APP_NAME are set). */
  async missingSetup(): Promise<string[]> {
    const s = await this.get();
    return SETUP_REQUIRED.filter((key) => !s[key]?.trim());
  }

  /** Throws a 409 naming what is missing: sending, printing and kiosks need the real names. */
  async requireSetup(): Promise<Settings> {
    const missing = await this.missingSetup();
    if (missing.length) throw new SetupIncompleteError(missing);
    return this.get();
  }

  async update(raw: Record<string, unknown>, actor: Actor): Promise<Settings> {
    const parsed = settingsSchema.safeParse({ ...(await this.get()), ...raw });
    if (!parsed.success) throw new ValidationError(zodFieldMessages(parsed.error));
    await this.writeKeys(parsed.data);
    this.cache = null;
    await this.events.emit("settings.updated", { actor, ...says("settingsChanged", { keys: Object.keys(raw).join(", ") }) });
    return this.get();
  }

  /**
   * Settings other features keep beside the organization's own, under keys of their own
   * (`privacy.…`): read as stored (no defaults, no cache) and written in one transaction.
   * The caller validates, caches and announces them.
   */
  readKeys(keys: string[]): Promise<Record<string, unknown>> {
    return repo.readEntries(this.db, keys);
  }

  async writeKeys(entries: Record<string, unknown>): Promise<void> {
    const now = nowMs();
    await this.db.transaction(async (trx) => {
      for (const [key, value] of Object.entries(entries)) await repo.upsertEntry(trx, key, value, now);
    });
  }
}
