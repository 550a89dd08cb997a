import type { Knex } from "knex";
import { createKiosk, type KioskFeature, type KioskLive, type KiosksService } from "../kiosk/index.js";
import { createPrint, type Print } from "../print/index.js";
import { createApiDocs } from "./apidocs/index.js";
import { type AuditLog, createAudit } from "./audit/index.js";
import { renderSettings } from "./auth/admin-pages.routes.js";
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
import { createInvitations, type Invitations, type InvitationsService } from "./invitations/index.js";
import { type AppMetrics, createMetrics, recordJobRun, recordLeaseTakeover } from "./metrics/index.js";
import { createNotify, type Notify } from "./notify/index.js";
import { invitationSendApi } from "./notify/invitation-send.api.js";
import {
  createPeople,
  type Facets,
  type GroupsService,
  type ImportsService,
  type People,
  type ProfileExtras,
  type UsersService,
} from "./people/index.js";
import { createPrivacy, type Privacy, type PrivacyService, type PrivacySettingsService, sendExport } from "./privacy/index.js";
import { createRegistrations, type PhoneMatchService, type PhoneOtpService, type Registrations } from "./registrations/index.js";
import { createSettings, type SettingsService } from "./settings/index.js";
import { createWebhooks, type Webhooks, type WebhooksService } from "./webhooks/index.js";

/**
 * The composition root: every service of the process, built once, and the features that
 * make up the service in the order their routes are tried. The process entries (main, CLI)
 * and the tests hold a Station; features are handed only what they need.
 */
export type Station = Context & { features: Feature[] };

export type Context = {
  config: Config;
  log: Logger;
  db: Knex;
  events: EventBus;
  settings: SettingsService;
  branding: BrandingService;
  users: UsersService;
  facets: Facets;
  groups: GroupsService;
  imports: ImportsService;
  invitations: InvitationsService;
  notify: Notify;
  phoneMatch: PhoneMatchService;
  phoneOtp: PhoneOtpService;
  admins: AdminsService;
  sessions: SessionStore;
  apiKeys: ApiKeysService;
  audit: AuditLog;
  jobs: JobRegistry;
  webhooks: WebhooksService;
  /** Live updates to the admin pages (Socket.IO `/admin`); see server/live/live.ts. */
  live: Live;
  kiosks: KiosksService;
  kioskLive: KioskLive;
  /** The invitation letters (PDF), built by print: `print.letters`. */
  letters: Print["letters"];
  print: Print;
  /** Retention and address rules (Administration › Privacy). */
  privacySettings: PrivacySettingsService;
  /** Which network addresses printers and webhooks may have. */
  addresses: AddressPolicy;
  /** Erasure, the export of a person's data, consent history and retention. */
  privacy: PrivacyService;
  /** The figures behind GET /metrics (server/metrics). */
  metrics: AppMetrics;
};

export function createStation(config: Config, log: Logger, db: Knex = createDb(config.database, log)): Station {
  const events = new EventBus((event, err) => log.error({ event, err }, "event listener failed"));
  const settingsFeature = createSettings({ db, events, config });
  const { settings } = settingsFeature;
  const branding = createBranding({
    db,
    events,
    // The Settings page is auth's; it is drawn only on a request, once the context exists.
    settingsPage: (res, status, locals) => renderSettings(ctx, res, status, locals),
  });
  // Built before auth: the Settings page (auth's Administration) shows the logo.
  const auth = createAuth({ config, db, events, settings, branding: branding.branding });
  const { sessions, apiKeys } = auth;
  /** Sections of a person's profile page, from the features that know more about them (composeFeatures fills it). */
  const profile: ProfileExtras[] = [];
  const people = createPeople({
    db,
    events,
    config,
    settings,
    apiKeys,
    profile,
    history: (userId) => audit.audit.forTarget("user", userId),
    // Privacy and the context are built below; these run only when a request asks.
    erase: (userId, actor) => privacyFeature.privacy.erase(userId, actor),
    exportPerson: (res, userId, actor) => sendExport(ctx, res, userId, actor, false),
  });
  const { users, groups, imports } = people;
  // The first to listen to every event: each one is a line of the audit log.
  const audit = createAudit({ db, events, users });
  const jobs = new JobRegistry(db, log);
  const invitationsFeature = createInvitations({ db, events, users, settings, config, apiKeys });
  const { invitations } = invitationsFeature;
  // Its jobs (reminders, resuming bulk invitations) are registered with every feature's, below.
  const notify = createNotify({ config, log, db, events, settings, users, groups, invitations });
  const registrations = createRegistrations({
    db,
    events,
    users,
    settings,
    outbox: notify.outbox,
    secretKey: config.secretKey,
    apiKeys,
  });
  const { phoneMatch, phoneOtp } = registrations;
  const live = new Live(config, sessions, log);
  // Built here, once: it adds the /kiosk namespace to live and listens to the events.
  const kiosk = createKiosk({
    db,
    events,
    log,
    config,
    live,
    users,
    invitations,
    settings,
    apiKeys,
    logoUrl: () => branding.branding.logoUrl(),
  });
  const privacyFeature = createPrivacy({ config, log, db, events, users, audit: audit.audit, notify, settings });
  const { privacy, privacySettings } = privacyFeature;
  const addresses = new AddressPolicy(async () => (await privacySettings.get()).allowInternalAddresses);
  // Built here, once: it registers the webhook kind and transport and listens to the events.
  const webhooks = createWebhooks({
    db,
    events,
    outbox: notify.outbox,
    worker: notify.worker,
    secretKey: config.secretKey,
    addresses,
  });
  const context: Omit<Context, "print" | "letters" | "metrics"> = {
    privacy,
    privacySettings,
    addresses,
    live,
    kiosks: kiosk.kiosks,
    kioskLive: kiosk.kioskLive,
    notify,
    phoneMatch,
    phoneOtp,
    config,
    log,
    db,
    events,
    settings,
    branding: branding.branding,
    users,
    facets: people.facets,
    groups,
    imports,
    invitations,
    admins: auth.admins,
    sessions,
    apiKeys,
    audit: audit.audit,
    jobs,
    webhooks: webhooks.webhooks,
  };
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
    invitations,
    settings,
    branding: branding.branding,
    admins: auth.admins,
    notify: {
      outbox: notify.outbox,
      unreachableIds: (target, max) => notify.bulk.unreachableIds(target, max),
      start: () => notify.start(),
      stop: (ms) => notify.stop(ms),
    },
  });
  const metricsFeature = createMetrics({
    db,
    events,
    live,
    config,
    printers: {
      list: () => print.printers.list(),
      state: async (id) => (await print.printers.status(id)).state,
    },
  });
  const { metrics } = metricsFeature;
  // Job runs and lease take-overs, from the core's job registry and work queue.
  jobs.onRun((name, outcome) => recordJobRun(name, outcome));
  onLeaseTakeover(recordLeaseTakeover);
  const ctx: Context = { ...context, print, letters: print.letters, metrics };
  const features = composeFeatures(ctx, profile, {
    invitations: invitationsFeature,
    registrations,
    people,
    kiosk,
    dashboard: createDashboard({ db, config }),
    audit,
    branding,
    webhooks,
    auth,
    settings: settingsFeature,
    privacy: privacyFeature,
    metrics: metricsFeature,
    backup: createBackup({ config, db }),
    apidocs: createApiDocs(),
  });
  for (const feature of features) for (const job of feature.jobs ?? []) jobs.register(job);
  return { ...ctx, features };
}

/**
 * Every feature, in the order its routes are tried (a page path belongs to one feature, but
 * privacy and kiosk extend /users/… and come before people).
 */
function composeFeatures(
  ctx: Context,
  profile: ProfileExtras[],
  built: {
    people: People;
    invitations: Invitations;
    registrations: Registrations;
    kiosk: KioskFeature;
    dashboard: Feature;
    audit: Feature;
    branding: Feature;
    webhooks: Webhooks;
    auth: Feature;
    settings: Feature;
    privacy: Privacy;
    metrics: Feature;
    backup: Feature;
    apidocs: Feature;
  },
): Feature[] {
  const service: Feature = {
    name: "service",
    // Known guessers are refused before anything else, before they are even counted.
    first: built.invitations.first,
    open: [
      healthRoutes({
        db: ctx.db,
        pingRedis: () => ctx.live.pingRedis(),
        checks: { ...ctx.notify.checks },
      }),
    ],
    workers: [{ name: "jobs", start: () => ctx.jobs.start(), stop: (ms) => ctx.jobs.stop(ms) }],
  };
  const invitations: Feature = {
    name: "invitations",
    // The redeem route first (the busiest). Sending an invitation is notify's route (notify
    // depends on invitations), tried here as before.
    api: [...built.invitations.api, invitationSendApi({ apiKeys: ctx.apiKeys, sender: ctx.notify.invitations })],
    pages: built.invitations.pages,
    jobs: built.invitations.jobs,
  };
  profile.push(built.invitations.profile);
  const print = ctx.print.feature;
  profile.push(ctx.print.profile);
  profile.push(ctx.notify.profile);
  profile.push(built.privacy.profile);
  return [
    service,
    // Its request timer comes right after the service's own first handler (the guessers).
    built.metrics,
    invitations,
    built.registrations,
    built.auth,
    built.dashboard,
    print,
    ctx.notify,
    built.privacy,
    built.kiosk,
    built.people,
    built.audit,
    built.webhooks,
    built.branding,
    built.settings,
    built.apidocs,
    built.backup,
  ];
}
