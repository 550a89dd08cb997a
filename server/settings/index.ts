/** The feature's public face: other features import it only from here. */
import type { RequestHandler } from "express";
import type { Knex } from "knex";
import type { Config } from "../core/config.js";
import type { EventBus } from "../core/events.js";
import type { Feature } from "../core/feature.js";
import { languageOfCountry } from "../core/i18n/index.js";
import { orgSetupPages } from "./org-setup.routes.js";
import { SettingsService } from "./settings.service.js";

export type { Settings, SettingsService } from "./settings.service.js";

export type SettingsDeps = {
  db: Knex;
  events: EventBus;
  /** The defaults until an admin saves the settings (ORGANIZATION_NAME, APP_NAME, DEFAULT_COUNTRY, …). */
  config: Pick<Config, "organizationName" | "defaultCountry" | "defaultLanguage" | "inviteTtlDays" | "appName">;
};

/** The organization's settings, its set-up page, and the page locals every page reads them from. */
export type SettingsFeature = Feature & { settings: SettingsService };

export function createSettings(deps: SettingsDeps): SettingsFeature {
  const { config } = deps;
  const settings = new SettingsService(deps.db, deps.events, {
    // Empty until the set-up (or ORGANIZATION_NAME / APP_NAME) names them: see missingSetup().
    organizationName: config.organizationName ?? "",
    defaultCountry: config.defaultCountry,
    defaultLanguage: config.defaultLanguage ?? languageOfCountry(config.defaultCountry),
    frontDeskContact: "",
    inviteTtlDays: config.inviteTtlDays,
    appName: config.appName ?? "",
    appStoreUrl: "",
    playStoreUrl: "",
    appScheme: "",
    appJoinUrl: "",
    joinOnWeb: false,
    reminderDays: 3,
    reminderLimit: 2,
  });
  const locals: RequestHandler = async (_req, res, next) => {
    res.locals.settings = await settings.get();
    res.locals.setupMissing = await settings.missingSetup();
    next();
  };
  return { name: "settings", settings, pageLocals: [locals], pages: [orgSetupPages({ settings })] };
}
