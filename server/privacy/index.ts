/** The feature's public face: other features import it only from here. */
import type { ApiKeyLookup } from "../core/auth/principals.js";
import type { Feature } from "../core/feature.js";
import type { SettingsService } from "../settings/index.js";
import { erasureApi } from "./erasure.api.js";
import { erasurePages } from "./erasure.routes.js";
import { privacyPages, privacyProfileExtras } from "./privacy.routes.js";
import { PrivacyService, type PrivacyServiceDeps } from "./privacy.service.js";
import { PrivacySettingsService } from "./privacy-settings.service.js";

export { sendExport } from "./privacy.routes.js";
export type { PrivacyService } from "./privacy.service.js";
export type { PrivacySettingsService } from "./privacy-settings.service.js";

export type PrivacyDeps = Omit<PrivacyServiceDeps, "privacySettings"> & {
  /** Where the privacy settings are kept, beside the organization's. */
  settings: Pick<SettingsService, "get" | "readKeys" | "writeKeys">;
  /** The API's key check (erasure and export need the `users` scope). */
  apiKeys: ApiKeyLookup;
};

/**
 * A person's rights over their data (erasure, export, consent history), retention and the
 * privacy settings (retention, which network addresses printers and webhooks may have).
 */
export type Privacy = Feature & {
  privacy: PrivacyService;
  privacySettings: PrivacySettingsService;
  /** The profile page's section: the person's consent history. */
  profile: ReturnType<typeof privacyProfileExtras>;
};

export function createPrivacy(deps: PrivacyDeps): Privacy {
  const privacySettings = new PrivacySettingsService(deps.settings, deps.events);
  // It listens to the people's events from here on, to keep their consent history.
  const { apiKeys, ...serviceDeps } = deps;
  const privacy = new PrivacyService({ ...serviceDeps, privacySettings });
  return {
    name: "privacy",
    privacy,
    privacySettings,
    api: [erasureApi({ privacy, events: deps.events, apiKeys })],
    pages: [privacyPages({ privacy, privacySettings, events: deps.events }), erasurePages({ privacy })],
    profile: privacyProfileExtras(privacy),
    jobs: [{ name: "privacy.retention", schedule: "37 4 * * *", leaseSeconds: 1800, run: () => privacy.applyRetention() }],
  };
}
