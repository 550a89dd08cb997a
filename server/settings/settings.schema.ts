import { getCountries } from "libphonenumber-js";
import { z } from "zod";
import { isLanguage, LANGUAGES } from "../core/i18n/index.js";
import { keyed } from "../core/validation.js";

const COUNTRIES = new Set<string>(getCountries());

const optionalHttpsUrl = z
  .string()
  .trim()
  .max(300, "must be at most 300 characters")
  .refine((s) => s === "" || /^https:\/\/[^\s]+$/.test(s), keyed("validation:https", "must be an https:// address"));

/** Organization settings an admin changes in the pages; later issues add their keys. */
export const settingsSchema = z.object({
  organizationName: z.string().trim().min(1, "Organization name is required").max(100, "must be at most 100 characters"),
  defaultCountry: z
    .string()
    .trim()
    .toUpperCase()
    .refine((c) => COUNTRIES.has(c), keyed("validation:country", "must be a two-letter country code such as ES or GB")),
  /** The language of people registered or imported without one, and of admins who chose none. */
  defaultLanguage: z
    .string()
    .trim()
    .toLowerCase()
    .refine(isLanguage, keyed("validation:oneOf", `must be one of ${LANGUAGES.join(", ")}`, { options: LANGUAGES.join(", ") })),
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
    .refine(
      (s) => s === "" || /^[a-z][a-z0-9+.-]*$/.test(s),
      keyed("validation:scheme", "must be a URL scheme such as myapp (letters, digits, + . -)"),
    ),
  /** An https universal link / app link for joining (…?token=…); preferred to the scheme when set. */
  appJoinUrl: optionalHttpsUrl.default(""),
  /**
   * The join page's Join button uses the invitation on the web (for an app that is a web
   * app). Off: the page hands the token to the app, and only the app's redeem joins.
   */
  joinOnWeb: z.preprocess((v) => v === true || v === "on" || v === "true" || v === "1", z.boolean()).default(false),
});
export type Settings = z.infer<typeof settingsSchema>;
