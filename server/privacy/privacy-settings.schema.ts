import { z } from "zod";

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
