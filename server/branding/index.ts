import type { RequestHandler } from "express";
import type { Knex } from "knex";
import type { EventBus } from "../core/events.js";
import type { Feature } from "../core/feature.js";
import { brandingAdmin, brandingPublic, type SettingsPage } from "./branding.routes.js";
import { BrandingService } from "./branding.service.js";

/** The feature's public face: other features import it only from here. */
export type { SettingsPage } from "./branding.routes.js";
export type { BrandingService } from "./branding.service.js";
export type { Logo } from "./branding.types.js";

export type BrandingDeps = {
  db: Knex;
  events: EventBus;
  /** The Settings page, drawn again with the upload's error (its owner renders it). */
  settingsPage: SettingsPage;
};

/**
 * The organization's logo: the public `/branding/logo`, its upload on the Settings page, and
 * `logoUrl` in every page's locals.
 */
export function createBranding(deps: BrandingDeps): Feature & { branding: BrandingService } {
  const branding = new BrandingService(deps.db, deps.events);
  const logoLocals: RequestHandler = async (_req, res, next) => {
    res.locals.logoUrl = await branding.logoUrl();
    next();
  };
  return {
    name: "branding",
    branding,
    open: [brandingPublic({ branding })],
    pageLocals: [logoLocals],
    pages: [brandingAdmin({ branding, settingsPage: deps.settingsPage })],
  };
}
