import type { Knex } from "knex";
import { getCountries } from "libphonenumber-js";
import { z } from "zod";
import { fromDbJson, nowMs, toDbJson } from "../core/db/convert.js";
import { SetupIncompleteError, ValidationError } from "../core/errors.js";
import type { Actor, EventBus } from "../core/events.js";
import { isLanguage, LANGUAGES } from "../core/i18n/index.js";
import { zodFieldErrors } from "../people/index.js";

const COUNTRIES = new Set<string>(getCountries());

const optionalHttpsUrl = z
  .string()
  .trim()
  .max(300, "must be at most 300 characters")
  .refine((s) => s === "" || /^https:\/\/[^\s]+$/.test(s), "must be an https:// address");

/** Organization settings an admin changes in the pages; later issues add their keys. */
export const settingsSchema = z.object({
  organizationName: z.string().trim().min(1, "Organization name is required").max(100, "must be at most 100 characters"),
  defaultCountry: z
    .string()
    .trim()
    .toUpperCase()
    .refine((c) => COUNTRIES.has(c), "must be a two-letter country code such as ES or GB"),
  /** The language of people registered or imported without one, and of admins who chose none. */
  defaultLanguage: z
    .string()
    .trim()
    .toLowerCase()
    .refine(isLanguage, `must be one of ${LANGUAGES.join(", ")}`),
  frontDeskContact: z.string().trim().max(200, "must be at most 200 characters").default(""),
  /** Days an invitation link stays valid; 0 means it never expires. */
  inviteTtlDays: z.coerce
    .number({ invalid_type_error: "must be a whole number of days" })
    .int("must be a whole number of days")
    .min(0, "must be 0 (never) or more")
    .max(3650, "must be at most 3650 days"),
  /** Days after the last send before a pending person is reminded; 0 turns reminders off. */
  reminderDays: z.coerce
    .number({ invalid_type_error: "must be a whole number of days" })
    .int("must be a whole number of days")
    .min(0, "must be 0 (off) or more")
    .max(365, "must be at most 365"),
  reminderLimit: z.coerce
    .number({ invalid_type_error: "must be a whole number" })
    .int("must be a whole number")
    .min(0, "must be 0 or more")
    .max(20, "must be at most 20"),
  appName: z.string().trim().min(1, "App name is required").max(60, "must be at most 60 characters"),
  appStoreUrl: optionalHttpsUrl,
  playStoreUrl: optionalHttpsUrl,
  /** The app's URL scheme for "Open in the app" (e.g. ommnio → ommnio://join?token=…); empty hides the button. */
  appScheme: z
    .string()
    .trim()
    .max(40)
    .refine((s) => s === "" || /^[a-z][a-z0-9+.-]*$/.test(s), "must be a URL scheme such as myapp (letters, digits, + . -)"),
  /** An https universal link / app link for joining (…?token=…); preferred to the scheme when set. */
  appJoinUrl: optionalHttpsUrl.default(""),
  /**
   * The join page's Join button uses the invitation on the web (for an app that is a web
   * app). Off: the page hands the token to the app, and only the app's redeem joins.
   */
  joinOnWeb: z.preprocess((v) => v === true || v === "on" || v === "true" || v === "1", z.boolean()).default(false),
});
export type Settings = z.infer<typeof settingsSchema>;

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
    const rows = await this.db("settings").select("key", "value");
    const stored = Object.fromEntries(rows.map((r: { key: string; value: string }) => [r.key, fromDbJson(r.value, null)]));
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
    if (!parsed.success) throw new ValidationError(zodFieldErrors(parsed.error));
    const now = nowMs();
    await this.db.transaction(async (trx) => {
      for (const [key, value] of Object.entries(parsed.data)) {
        await trx("settings")
          .insert({ key, value: toDbJson(value), updated_at: now })
          .onConflict("key")
          .merge();
      }
    });
    this.cache = null;
    await this.events.emit("settings.updated", { actor, summary: `Changed settings: ${Object.keys(raw).join(", ")}` });
    return this.get();
  }
}
