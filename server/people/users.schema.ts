import { z } from "zod";
import type { FieldErrors, FieldMessages } from "../core/errors.js";
import { isLanguage, LANGUAGES, languageName } from "../core/i18n/index.js";
import { message } from "../core/message.js";
import { keyed, zodFieldMessages } from "../core/validation.js";
import { parsePhone } from "./phone.js";
import type { Language } from "./users.types.js";

/** The languages are the folders of locales/: one more folder, one more choice here. */
export { LANGUAGES };
export const LANGUAGE_NAMES: Record<Language, string> = Object.fromEntries(LANGUAGES.map((l) => [l, languageName(l)]));

/** What a register or edit form, an API body or an import row becomes once validated. */
export type UserInput = {
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  phoneConsent: boolean;
  employeeId: string | null;
  department: string | null;
  site: string | null;
  language: Language;
  /** Group ids (numbers) or names of existing groups (strings); undefined leaves them as they are. */
  groups?: Array<number | string>;
};

// Control characters are never part of a name; they break CSV exports and letters.
const noControl = (s: string) => !/[\u0000-\u001f\u007f]/.test(s);

const blankToNull = (v: unknown) => (typeof v === "string" && v.trim() === "" ? null : v);
const text = (max: number) =>
  z.preprocess(
    blankToNull,
    z
      .string({ invalid_type_error: "must be text" })
      .trim()
      .max(max, `must be at most ${max} characters`)
      .refine(noControl, keyed("validation:noControl", "must not contain control characters"))
      .nullable()
      .default(null),
  );
const requiredText = (label: string, max: number) =>
  z.preprocess(
    (v) => (typeof v === "string" ? v.trim() : v),
    z
      .string({ required_error: `${label} is required`, invalid_type_error: "must be text" })
      .min(1, `${label} is required`)
      .max(max, `must be at most ${max} characters`)
      .refine(noControl, keyed("validation:noControl", "must not contain control characters")),
  );
const consent = z.preprocess(
  (v) => {
    if (v === undefined || v === null || v === "") return false;
    if (typeof v === "string") return ["on", "true", "yes", "1", "sí", "si"].includes(v.trim().toLowerCase());
    return v;
  },
  z.boolean({ invalid_type_error: "must be true or false" }),
);

/** A person's fields as a form, an API body or an import row gives them (parseUserInput checks the phone on top). */
export const userInputSchema = z.object({
  firstName: requiredText("First name", 100),
  lastName: requiredText("Last name", 100),
  email: z.preprocess(
    blankToNull,
    z
      .string({ invalid_type_error: "must be text" })
      .trim()
      .max(191, "must be at most 191 characters")
      .email("is not a valid email address")
      .nullable()
      .default(null),
  ),
  phone: text(40),
  phoneConsent: consent.default(false),
  employeeId: text(64),
  department: text(100),
  site: text(100),
  language: z.preprocess(
    (v) => (typeof v === "string" ? v.trim().toLowerCase() || undefined : v),
    // Left out, it becomes the organization's default language (see parseUserInput).
    z
      .string({ invalid_type_error: `must be one of ${LANGUAGES.join(", ")}` })
      .refine(isLanguage, keyed("validation:oneOf", `must be one of ${LANGUAGES.join(", ")}`, { options: LANGUAGES.join(", ") }))
      .optional(),
  ),
  groups: z
    .preprocess(
      (v) => (v === undefined || v === null ? undefined : Array.isArray(v) ? v : [v]),
      z
        .array(
          z.union([
            z.number().int().positive(),
            z
              .string()
              .trim()
              .min(1)
              .max(191)
              .transform((s) => (/^\d+$/.test(s) ? Number(s) : s)),
          ]),
          { invalid_type_error: "must be a list of group ids or names" },
        )
        .max(200, "at most 200 groups"),
    )
    .optional(),
});

export function zodFieldErrors(error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? "_");
    if (!fields[key]) fields[key] = issue.message;
  }
  return fields;
}

/** `errors` in English (the API, import reports); `messages` the same as keys, for pages. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors; messages: FieldMessages };

/**
 * Validates a person's fields wherever they come from (form, API, CSV row). The phone is
 * normalized to E.164 here; the consent rule and duplicates are the service's business.
 */
export function parseUserInput(
  raw: Record<string, unknown>,
  defaultCountry: string,
  defaultLanguage = "en",
): ParseResult<UserInput> {
  const result = userInputSchema.safeParse(raw);
  const messages: FieldMessages = result.success ? {} : zodFieldMessages(result.error);
  let phone: string | null = null;
  if (result.success && result.data.phone) {
    const parsed = parsePhone(result.data.phone, defaultCountry);
    if (!parsed) messages.phone = message("validation:phone", { country: defaultCountry });
    else phone = parsed.e164;
  }
  if (!result.success || Object.keys(messages).length > 0) {
    return { ok: false, errors: Object.fromEntries(Object.entries(messages).map(([k, m]) => [k, m.text])), messages };
  }
  return { ok: true, value: { ...result.data, phone, language: result.data.language ?? defaultLanguage } };
}

/** The editable keys, for merging a partial update (PATCH) onto the current values. */
export const USER_INPUT_KEYS = Object.keys(userInputSchema.shape) as Array<keyof UserInput>;
