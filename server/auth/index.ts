/** The feature's public face: other features import it only from here. */
import type { Knex } from "knex";
import { type BrandingService, brandingAdmin } from "../branding/index.js";
import type { Config } from "../core/config.js";
import type { EventBus } from "../core/events.js";
import type { Feature } from "../core/feature.js";
import type { SettingsService } from "../settings/index.js";
import { accountRoutes } from "./account.routes.js";
import { adminPages, renderSettings } from "./admin-pages.routes.js";
import { AdminsService } from "./admins.service.js";
import { ApiKeysService } from "./apikeys.service.js";
import { authCommands } from "./auth.cli.js";
import { authRoutes } from "./auth.routes.js";
import { LoginLimiter } from "./login-limiter.js";
import { SessionStore } from "./sessions.service.js";

export { renderSettings } from "./admin-pages.routes.js";
export type { AdminsService } from "./admins.service.js";
export type { ApiKeysService } from "./apikeys.service.js";
export { Sealer } from "./sealer.js";
export type { SessionStore } from "./sessions.service.js";

export type AuthDeps = {
  config: Config;
  db: Knex;
  events: EventBus;
  /** Sign-in takes an admin to the organization set-up while it is missing; Settings page. */
  settings: SettingsService;
  /** The logo the Settings page shows, and its upload there. */
  branding: Pick<BrandingService, "logo" | "setLogo" | "removeLogo">;
};

/**
 * Who may sign in and call: admin accounts, their sessions (the core's SessionLookup), API
 * keys (the core's ApiKeyLookup, handed to the features' API routers) and the sign-in
 * limits; the sign-in pages, the admin's own preferences and Administration (accounts, API
 * keys, settings).
 */
export type Auth = Feature & {
  admins: AdminsService;
  sessions: SessionStore;
  apiKeys: ApiKeysService;
  loginLimiter: LoginLimiter;
};

export function createAuth(deps: AuthDeps): Auth {
  const { config, db, events, settings, branding } = deps;
  const loginLimiter = new LoginLimiter(db);
  const sessions = new SessionStore(db);
  const admins = new AdminsService(db, events, loginLimiter);
  const apiKeys = new ApiKeysService(db, events);
  return {
    name: "auth",
    admins,
    sessions,
    apiKeys,
    loginLimiter,
    pages: [
      authRoutes({ config, events, admins, sessions, settings }),
      accountRoutes({ admins }),
      adminPages({ config, settings, branding, admins, apiKeys }),
      // The logo's form is on the Settings page: an upload refused draws that page again.
      brandingAdmin({
        branding,
        settingsPage: (res, status, locals) => renderSettings({ config, settings, branding }, res, status, locals),
      }),
    ],
    cli: authCommands({ admins, apiKeys }),
    jobs: [
      { name: "login-limits.prune", schedule: "27 * * * *", leaseSeconds: 120, run: () => loginLimiter.prune() },
      { name: "sessions.prune", schedule: "17 * * * *", leaseSeconds: 300, run: () => sessions.prune() },
    ],
  };
}
