import type { Knex } from "knex";
import { createKiosk, type KioskLive, type KiosksService } from "../kiosk/index.js";
import { createPrint, type Print } from "../print/index.js";
import { createApiDocs } from "./apidocs/index.js";
import { type AuditLog, createAudit } from "./audit/index.js";
import { type AdminsService, type ApiKeysService, createAuth, type SessionStore } from "./auth/index.js";
import { createBackup } from "./backup/index.js";
import { type BrandingService, createBranding } from "./branding/index.js";
import type { Config } from "./core/config.js";
import { createDb } from "./core/db/knex.js";
import { EventBus } from "./core/events.js";
import type { Feature } from "./core/feature.js";
import { healthRoutes } from "./core/http/health.js";
import { JobRegistry } from "./core/jobs/registry.js";
import { Live } from "./core/live/live.js";
import type { Logger } from "./core/log.js";
import { AddressPolicy } from "./core/security/address-policy.js";
import { onLeaseTakeover } from "./core/work/work-queue.js";
import { createDashboard } from "./dashboard/index.js";
import { createInvitations, type InvitationsService } from "./invitations/index.js";
import { type AppMetrics, createMetrics, recordJobRun, recordLeaseTakeover } from "./metrics/index.js";
import { createNotify, type Notify } from "./notify/index.js";
import {
  createPeople,
  type Facets,
  type GroupsService,
  type ImportsService,
  type ProfileExtras,
  type UsersService,
} from "./people/index.js";
import { createPrivacy, type PrivacyService, type PrivacySettingsService } from "./privacy/index.js";
import { createRegistrations, type PhoneMatchService, type PhoneOtpService } from "./registrations/index.js";
import { createSettings, type SettingsService } from "./settings/index.js";
import { createWebhooks, type WebhooksService } from "./webhooks/index.js";

/**
 * What the process entries (main, the CLI) and the tests hold: the core's pieces, the
 * features' services by name, and the features in the order their routes are tried.
 * Features never see it: each is handed only what it needs, below.
 */
export type Station = {
  config: Config;
  log: Logger;
  db: Knex;
  events: EventBus;
  jobs: JobRegistry;
  /** Live updates to the admin pages (Socket.IO `/admin`); see server/core/live/live.ts. */
  live: Live;
  /** Which network addresses printers and webhooks may have. */
  addresses: AddressPolicy;
  settings: SettingsService;
  branding: BrandingService;
  admins: AdminsService;
  sessions: SessionStore;
  apiKeys: ApiKeysService;
  users: UsersService;
  facets: Facets;
  groups: GroupsService;
  imports: ImportsService;
  audit: AuditLog;
  invitations: InvitationsService;
  notify: Notify;
  phoneMatch: PhoneMatchService;
  phoneOtp: PhoneOtpService;
  kiosks: KiosksService;
  kioskLive: KioskLive;
  /** Retention and address rules (Administration › Privacy). */
  privacySettings: PrivacySettingsService;
  /** Erasure, the export of a person's data, consent history and retention. */
  privacy: PrivacyService;
  webhooks: WebhooksService;
  print: Print;
  /** The invitation letters (PDF), built by print: `print.letters`. */
  letters: Print["letters"];
  /** The figures behind GET /metrics. */
  metrics: AppMetrics;
  features: Feature[];
};

/**
 * The composition root: builds the core's pieces and every feature once, in the order they
 * depend on each other (core → settings, branding, auth → people → audit → invitations →
 * notify → registrations, kiosk, privacy, webhooks, print → metrics), hands each what it
 * needs, and lists them in the order their routes are tried.
 */
export function createStation(config: Config, log: Logger, db: Knex = createDb(config.database, log)): Station {
  const events = new EventBus((event, err) => log.error({ event, err }, "event listener failed"));
  const jobs = new JobRegistry(db, log);

  const settings = createSettings({ db, events, config });
  const branding = createBranding({ db, events });
  const auth = createAuth({ config, db, events, settings: settings.settings, branding: branding.branding });
  const { sessions, apiKeys } = auth;
  const live = new Live(config, sessions, log);
  /** Sections of a person's profile page, from the features that know more about them (filled below). */
  const profile: ProfileExtras[] = [];
  const people = createPeople({ db, events, config, settings: settings.settings, apiKeys, profile });
  const { users, groups } = people;
  // Every event from here on is a line of the audit log.
  const audit = createAudit({ db, events, users });
  const invitations = createInvitations({ db, events, users, settings: settings.settings, config, apiKeys });
  const notify = createNotify({
    config,
    log,
    db,
    events,
    settings: settings.settings,
    users,
    groups,
    invitations: invitations.invitations,
    apiKeys,
  });
  const registrations = createRegistrations({
    db,
    events,
    users,
    settings: settings.settings,
    outbox: notify.outbox,
    secretKey: config.secretKey,
    apiKeys,
  });
  // It adds the /kiosk namespace to live and listens to the events.
  const kiosk = createKiosk({
    db,
    events,
    log,
    config,
    live,
    users,
    invitations: invitations.invitations,
    settings: settings.settings,
    apiKeys,
    logoUrl: () => branding.branding.logoUrl(),
  });
  const privacy = createPrivacy({
    config,
    log,
    db,
    events,
    users,
    audit: audit.audit,
    notify,
    settings: settings.settings,
    apiKeys,
  });
  const addresses = new AddressPolicy(async () => (await privacy.privacySettings.get()).allowInternalAddresses);
  // It registers the webhook kind and transport with the outbox and listens to the events.
  const webhooks = createWebhooks({
    db,
    events,
    outbox: notify.outbox,
    worker: notify.worker,
    secretKey: config.secretKey,
    addresses,
  });
  const print = createPrint({
    config,
    log,
    db,
    events,
    live,
    apiKeys,
    addresses,
    users,
    groups,
    facets: people.facets,
    invitations: invitations.invitations,
    settings: settings.settings,
    branding: branding.branding,
    admins: auth.admins,
    notify: {
      outbox: notify.outbox,
      unreachableIds: (target, max) => notify.bulk.unreachableIds(target, max),
      start: () => notify.start(),
      stop: (ms) => notify.stop(ms),
    },
  });
  const metrics = createMetrics({
    db,
    events,
    live,
    config,
    figures: { ...notify.figures, ...print.figures },
    printers: {
      list: () => print.printers.list(),
      state: async (id) => (await print.printers.status(id)).state,
    },
  });
  // Job runs and lease take-overs, from the core's job registry and work queue.
  jobs.onRun((name, outcome) => recordJobRun(name, outcome));
  onLeaseTakeover(recordLeaseTakeover);

  profile.push(invitations.profile, print.profile, notify.profile, privacy.profile, audit.profile);

  const service: Feature = {
    name: "service",
    open: [healthRoutes({ db, pingRedis: () => live.pingRedis(), checks: { ...notify.checks, ...print.checks } })],
    workers: [{ name: "jobs", start: () => jobs.start(), stop: (ms) => jobs.stop(ms) }],
  };
  // The order routes are tried in. Invitations first: known guessers are refused before
  // requests are counted (metrics), and its redeem route, the busiest, is tried first. Paths
  // belong to one feature each, but privacy and kiosk extend /users/… and come before people.
  const features: Feature[] = [
    invitations,
    metrics,
    service,
    registrations,
    auth,
    createDashboard({ db, config }),
    print.feature,
    notify,
    privacy,
    kiosk,
    people,
    audit,
    webhooks,
    branding,
    settings,
    createApiDocs(),
    createBackup({ config, db }),
  ];
  for (const feature of features) for (const job of feature.jobs ?? []) jobs.register(job);

  return {
    config,
    log,
    db,
    events,
    jobs,
    live,
    addresses,
    settings: settings.settings,
    branding: branding.branding,
    admins: auth.admins,
    sessions,
    apiKeys,
    users,
    facets: people.facets,
    groups,
    imports: people.imports,
    audit: audit.audit,
    invitations: invitations.invitations,
    notify,
    phoneMatch: registrations.phoneMatch,
    phoneOtp: registrations.phoneOtp,
    kiosks: kiosk.kiosks,
    kioskLive: kiosk.kioskLive,
    privacySettings: privacy.privacySettings,
    privacy: privacy.privacy,
    webhooks: webhooks.webhooks,
    print,
    letters: print.letters,
    metrics: metrics.metrics,
    features,
  };
}
