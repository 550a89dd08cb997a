import { z } from "zod";
import { ValidationError } from "../server/core/errors.js";
import { isLanguage, LANGUAGES } from "../server/core/i18n/index.js";
import { MAX_PERIOD_SECONDS, MIN_PERIOD_SECONDS } from "../server/invitations/index.js";

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .optional()
    .nullable()
    .transform((v) => (v ? v : null));

const kioskSchema = z.object({
  name: z
    .string({ required_error: "is required", invalid_type_error: "must be text" })
    .trim()
    .min(1, "is required")
    .max(100, "must be at most 100 characters"),
  site: optionalText(100),
  // Left out, the organization's default language (see KiosksService.create).
  language: z
    .string({ invalid_type_error: `must be one of ${LANGUAGES.join(", ")}` })
    .refine(isLanguage, `must be one of ${LANGUAGES.join(", ")}`)
    .optional(),
  rotateSeconds: z
    .union([z.number(), z.string(), z.null()])
    .optional()
    .transform((v, c) => {
      if (v === null || v === undefined || v === "") return null;
      const n = typeof v === "number" ? v : /^\d+$/.test(v.trim()) ? Number(v) : Number.NaN;
      if (!Number.isInteger(n) || n < MIN_PERIOD_SECONDS || n > MAX_PERIOD_SECONDS) {
        c.addIssue({
          code: "custom",
          message: `must be a whole number of seconds from ${MIN_PERIOD_SECONDS} to ${MAX_PERIOD_SECONDS}`,
        });
        return z.NEVER;
      }
      return n;
    }),
  idleMessage: optionalText(300),
});

/** A kiosk's settings from a form or an API body; a ValidationError names the fields that are wrong. */
export function parseKioskInput(raw: unknown): z.output<typeof kioskSchema> {
  const parsed = kioskSchema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) fields[String(issue.path[0] ?? "body")] ??= issue.message;
  throw new ValidationError(fields);
}
