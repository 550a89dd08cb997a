import type { RequestHandler } from "express";
import type { Knex } from "knex";
import type { EventBus } from "../core/events.js";
import type { Feature } from "../core/feature.js";
import { brandingPublic } from "./branding.routes.js";
import { BrandingService } from "./branding.service.js";

/** The feature's public face: other features import it only from here. */
export { brandingAdmin, type SettingsPage } from "./branding.routes.js";
export type { BrandingService } from "./branding.service.js";
export type { Logo } from "./branding.types.js";

export type BrandingDeps = { db: Knex; events: EventBus };

/**
 * The organization's logo: the public `/branding/logo` and `logoUrl` in every page's locals.
 * Its upload form (brandingAdmin) is on the Settings page, which auth draws and mounts.
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
  };
}
