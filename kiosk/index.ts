import { Router } from "express";
import type { Knex } from "knex";
import type { ApiKeyLookup } from "../server/core/auth/principals.js";
import type { Config } from "../server/core/config.js";
import type { EventBus } from "../server/core/events.js";
import type { Feature } from "../server/core/feature.js";
import type { Live } from "../server/core/live/live.js";
import type { Logger } from "../server/core/log.js";
import type { InvitationsService } from "../server/invitations/index.js";
import type { UsersService } from "../server/people/index.js";
import type { SettingsService } from "../server/settings/index.js";
import { kioskAdminPages, kioskChoices } from "./kiosk-admin.routes.js";
import { KioskLive } from "./kiosk-live.js";
import { kioskScreenPages } from "./kiosk-screen.routes.js";
import { kiosksApi } from "./kiosks.api.js";
import { type KiosksConfig, KiosksService } from "./kiosks.service.js";

/** The feature's public face: other features import it only from here. */
export type { KioskLive } from "./kiosk-live.js";
export type { KiosksService } from "./kiosks.service.js";
export type { Kiosk, ScreenEntry, ScreenState } from "./kiosks.types.js";

export type KioskDeps = {
  db: Knex;
  events: EventBus;
  log: Logger;
  config: KiosksConfig & Pick<Config, "secureCookies">;
  /** The core's Socket.IO server: the kiosk adds its `/kiosk` namespace and tells the admin pages. */
  live: Live;
  /** Who may be shown (pending people only). */
  users: Pick<UsersService, "summary">;
  /** The rotating codes the screens show. */
  invitations: Pick<InvitationsService, "rotatingSource">;
  /** The organization's name, app links and default language; nothing is shown before the set-up. */
  settings: Pick<SettingsService, "get" | "requireSetup">;
  /** The JSON API's keys (scope `kiosks`). */
  apiKeys: ApiKeyLookup;
  /** The organization's logo as the screens load it, or null (none uploaded). */
  logoUrl: () => Promise<string | null>;
};

export type KioskFeature = Feature & {
  kiosks: KiosksService;
  /** The `/kiosk` namespace: which screens are connected, and what they show, live. */
  kioskLive: KioskLive;
};

/**
 * Lobby kiosks: their settings and pairing, the screens (`/kiosk`) and what they show, live.
 * Built once per process: it adds the `/kiosk` namespace to `live` and listens to the events.
 */
export function createKiosk(deps: KioskDeps): KioskFeature {
  const { config } = deps;
  const kiosks = new KiosksService(deps.db, deps.events, deps.users, deps.invitations, config, deps.settings);
  const kioskLive = new KioskLive(kiosks, deps.settings, deps.live, deps.log, deps.logoUrl);
  kioskLive.register(deps.events);
  return {
    name: "kiosk",
    kiosks,
    kioskLive,
    api: [kiosksApi({ kiosks, kioskLive, apiKeys: deps.apiKeys })],
    pages: [
      kioskScreenPages({ kiosks, config }),
      // "Show on kiosk" on the people and group pages offers the kiosks.
      Router().use(["/users", "/groups"], kioskChoices(kiosks)),
      kioskAdminPages({ kiosks, kioskLive, config }),
    ],
    jobs: [{ name: "kiosks.prune", schedule: "*/20 * * * *", leaseSeconds: 120, run: () => kiosks.prune() }],
  };
}
