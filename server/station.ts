import { Router } from "express";
import type { Knex } from "knex";
import { kioskAdminPages, kioskChoices } from "../kiosk/kiosk-admin.routes.js";
import { KioskLive } from "../kiosk/kiosk-live.js";
import { kioskScreenPages } from "../kiosk/kiosk-screen.routes.js";
import { kiosksApi } from "../kiosk/kiosks.api.js";
import { KiosksService } from "../kiosk/kiosks.service.js";
import { createPrint, type Print } from "../print/index.js";
import { apiDocsPages } from "./apidocs/api-docs.routes.js";
import { openApiRoute } from "./apidocs/openapi.api.js";
import { AuditLog } from "./audit/audit.js";
import { auditPages } from "./audit/audit.routes.js";
import { accountRoutes } from "./auth/account.routes.js";
import { adminPages } from "./auth/admin-pages.routes.js";
import { AdminsService } from "./auth/admins.service.js";
import { ApiKeysService } from "./auth/apikeys.js";
import { authCommands } from "./auth/auth.cli.js";
import { authRoutes } from "./auth/auth.routes.js";
import { LoginLimiter } from "./auth/login-limiter.js";
import { SessionStore } from "./auth/sessions.js";
import { backupCommands } from "./backup/backup.cli.js";
import { brandingAdmin, brandingPublic } from "./branding/branding.routes.js";
import { BrandingService } from "./branding/branding.service.js";
import type { Config } from "./core/config.js";
import { createDb } from "./core/db/knex.js";
import { EventBus } from "./core/events.js";
import type { Feature } from "./core/feature.js";
import { healthRoutes } from "./core/http/health.js";
import { languageOfCountry } from "./core/i18n/index.js";
import { JobRegistry } from "./core/jobs/registry.js";
import { Live } from "./core/live/live.js";
import type { Logger } from "./core/log.js";
import { AddressPolicy } from "./core/security/address-policy.js";
import { onLeaseTakeover } from "./core/work/work-queue.js";
import { dashboardPages } from "./dashboard/dashboard.routes.js";
import { refuseKnownGuessers } from "./invitations/front-door.js";
import { invitationPages, invitationProfileExtras } from "./invitations/invitation-pages.routes.js";
import { invitationSendApi } from "./invitations/invitation-send.api.js";
import { invitationRedeemApi, invitationsApi } from "./invitations/invitations.api.js";
import { InvitationsService } from "./invitations/invitations.service.js";
import { joinPages } from "./invitations/join.routes.js";
import { AppMetrics } from "./metrics/app-metrics.js";
import * as figures from "./metrics/figures.repo.js";
import { metricsRoutes } from "./metrics/metrics.routes.js";
import { recordJobRun, recordLeaseTakeover } from "./metrics/registry.js";
import { bulkInvitePages } from "./notify/bulk-invite.routes.js";
import { deliveryPages } from "./notify/deliveries.routes.js";
import { createNotify, type Notify } from "./notify/index.js";
import { deliveryProfileExtras } from "./notify/profile-extras.js";
import { Reminders } from "./notify/reminders.js";
import { Facets } from "./people/facets.js";
import { groupsApi } from "./people/groups.api.js";
import { groupPages } from "./people/groups.routes.js";
import { GroupsService } from "./people/groups.service.js";
import { importPages } from "./people/import/import.routes.js";
import { ImportsService } from "./people/import/imports.service.js";
import { usersApi } from "./people/users.api.js";
import { usersCommands } from "./people/users.cli.js";
import { type ProfileExtras, userPages } from "./people/users.routes.js";
import { UsersService } from "./people/users.service.js";
import { privacyPages, privacyProfileExtras } from "./privacy/privacy.routes.js";
import { PrivacyService } from "./privacy/privacy.service.js";
import { PrivacySettingsService } from "./privacy/privacy-settings.js";
import { phoneJoinPages } from "./registrations/phone-join.routes.js";
import { PhoneMatchService } from "./registrations/phone-match.service.js";
import { PhoneOtpService } from "./registrations/phone-otp.service.js";
import { registrationsApi } from "./registrations/registrations.api.js";
import { orgSetupPages } from "./settings/org-setup.routes.js";
import { SettingsService } from "./settings/settings.service.js";
import { webhookPages } from "./webhooks/webhooks.routes.js";
import { WebhooksService } from "./webhooks/webhooks.service.js";

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
  const audit = new AuditLog(db);
  audit.listen(events);
  const settings = new SettingsService(db, events, {
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
  const users = new UsersService(db, events);
  const privacySettings = new PrivacySettingsService(db, events);
  const addresses = new AddressPolicy(async () => (await privacySettings.get()).allowInternalAddresses);
  const groups = new GroupsService(db, events);
  const sessions = new SessionStore(db);
  const loginLimiter = new LoginLimiter(db);
  const jobs = new JobRegistry(db, log);
  jobs.register({ name: "login-limits.prune", schedule: "27 * * * *", leaseSeconds: 120, run: () => loginLimiter.prune() });
  jobs.register({ name: "sessions.prune", schedule: "17 * * * *", leaseSeconds: 300, run: () => sessions.prune() });
  const imports = new ImportsService(db, events, settings, config);
  const invitations = new InvitationsService(db, events, users, settings, config);
  jobs.register({
    name: "invitations.prune-guesses",
    schedule: "*/10 * * * *",
    leaseSeconds: 120,
    run: () => invitations.pruneGuesses(),
  });
  jobs.register({ name: "imports.prune", schedule: "43 3 * * *", leaseSeconds: 600, run: () => imports.pruneAbandoned() });
  const notify = createNotify({ config, log, db, events, settings, users, invitations });
  const reminders = new Reminders({ db, users, invitations, settings, sender: notify.invitations, log });
  jobs.register({ name: "invitations.remind", schedule: "30 9 * * *", leaseSeconds: 1800, run: () => reminders.run() });
  // A bulk invitation an instance stopped or died in the middle of is finished by another (or the next).
  jobs.register({
    name: "invitations.bulk-resume",
    schedule: "* * * * *",
    leaseSeconds: 600,
    run: () => notify.bulk.resumeStale(),
  });
  const phoneMatch = new PhoneMatchService(users, settings, events);
  // Built here, once: it registers its message kind with the outbox, which any process may run.
  const phoneOtp = new PhoneOtpService({
    db,
    users,
    settings,
    outbox: notify.outbox,
    matching: phoneMatch,
    secretKey: config.secretKey,
  });
  jobs.register({ name: "registrations.prune-codes", schedule: "*/15 * * * *", leaseSeconds: 120, run: () => phoneOtp.prune() });
  const live = new Live(config, sessions, log);
  const kiosks = new KiosksService(db, events, users, invitations, config, settings);
  jobs.register({ name: "kiosks.prune", schedule: "*/20 * * * *", leaseSeconds: 120, run: () => kiosks.prune() });
  // Built here, once: it adds the /kiosk namespace to live and listens to the events.
  const branding = new BrandingService(db, events);
  const kioskLive = new KioskLive(kiosks, settings, live, log, async () => {
    const logo = await branding.logo();
    return logo ? `/branding/logo?v=${logo.updatedAt}` : null;
  });
  kioskLive.register(events);
  const privacy = new PrivacyService({ config, log, db, events, users, audit, notify, settings, privacySettings });
  jobs.register({
    name: "privacy.retention",
    schedule: "37 4 * * *",
    leaseSeconds: 1800,
    run: () => privacy.applyRetention(),
  });
  const context: Omit<Context, "print" | "letters" | "metrics"> = {
    privacy,
    privacySettings,
    addresses,
    live,
    kiosks,
    kioskLive,
    notify,
    phoneMatch,
    phoneOtp,
    config,
    log,
    db,
    events,
    settings,
    branding,
    users,
    facets: new Facets(db, events),
    groups,
    imports,
    invitations,
    admins: new AdminsService(db, events, loginLimiter),
    sessions,
    apiKeys: new ApiKeysService(db, events),
    audit,
    jobs,
    // Built here, once: it registers the webhook kind and transport and listens to the events.
    webhooks: new WebhooksService({
      db,
      events,
      outbox: notify.outbox,
      worker: notify.worker,
      secretKey: config.secretKey,
      addresses,
    }),
  };
  const print = createPrint({
    config,
    log,
    db,
    events,
    live,
    apiKeys: context.apiKeys,
    addresses,
    users,
    groups,
    facets: context.facets,
    invitations,
    settings,
    branding,
    admins: context.admins,
    notify: {
      outbox: notify.outbox,
      unreachableIds: (target, max) => notify.bulk.unreachableIds(target, max),
      start: () => notify.start(),
      stop: (ms) => notify.stop(ms),
    },
  });
  const metrics = new AppMetrics({
    db,
    events,
    live,
    printers: {
      list: () => print.printers.list(),
      state: async (id) => (await print.printers.status(id)).state,
    },
  });
  metrics.listen(events);
  // Job runs and lease take-overs, from the core's job registry and work queue.
  jobs.onRun((name, outcome) => recordJobRun(name, outcome));
  onLeaseTakeover(recordLeaseTakeover);
  const ctx: Context = { ...context, print, letters: print.letters, metrics };
  const features = composeFeatures(ctx);
  for (const feature of features) for (const job of feature.jobs ?? []) jobs.register(job);
  return { ...ctx, features };
}

const OUTBOX_LATE_MS = 5 * 60_000;

/**
 * Every feature, in the order its routes are tried (a page path belongs to one feature, but
 * privacy and kiosk extend /users/… and come before people).
 */
function composeFeatures(ctx: Context): Feature[] {
  /** Sections of a person's profile page, from the features that know more about them. */
  const profile: ProfileExtras[] = [];
  const service: Feature = {
    name: "service",
    first: [refuseKnownGuessers(ctx.invitations), ctx.metrics.middleware()],
    open: [
      healthRoutes({
        db: ctx.db,
        pingRedis: () => ctx.live.pingRedis(),
        checks: {
          // A queued message due this long ago means the outbox workers are behind (or none runs).
          outbox: async () => {
            const late = await figures.outboxOverdue(ctx.db, Date.now() - OUTBOX_LATE_MS);
            return { status: late > 0 ? "warn" : "ok", overdue: late };
          },
        },
      }),
      metricsRoutes(ctx.metrics, ctx.config.metricsToken),
      brandingPublic(ctx),
    ],
    pageLocals: [
      async (_req, res, next) => {
        res.locals.settings = await ctx.settings.get();
        res.locals.setupMissing = await ctx.settings.missingSetup();
        // The logo's version makes its URL change with it, so browsers may cache it.
        const logo = await ctx.branding.logo();
        res.locals.logoUrl = logo ? `/branding/logo?v=${logo.updatedAt}` : null;
        next();
      },
    ],
    workers: [{ name: "jobs", start: () => ctx.jobs.start(), stop: (ms) => ctx.jobs.stop(ms) }],
  };
  const invitations: Feature = {
    name: "invitations",
    // The busiest route, and public: matched before the others are tried.
    api: [invitationRedeemApi(ctx), invitationsApi(ctx), invitationSendApi(ctx)],
    pages: [joinPages(ctx), invitationPages(ctx)],
  };
  profile.push(invitationProfileExtras(ctx));
  const people: Feature = {
    name: "people",
    api: [usersApi(ctx), groupsApi(ctx)],
    pages: [userPages(ctx, profile), groupPages(ctx), importPages(ctx)],
    cli: usersCommands(ctx.imports),
  };
  const registrations: Feature = { name: "registrations", api: [registrationsApi(ctx)], pages: [phoneJoinPages(ctx)] };
  const kiosk: Feature = {
    name: "kiosk",
    api: [kiosksApi(ctx)],
    pages: [kioskScreenPages(ctx), Router().use(["/users", "/groups"], kioskChoices(ctx)), kioskAdminPages(ctx)],
  };
  const print = ctx.print.feature;
  profile.push(ctx.print.profile);
  const notify: Feature = {
    name: "notify",
    pages: [deliveryPages(ctx), bulkInvitePages(ctx)],
    // The outbox sends what the pages queue, so it runs even where scheduled jobs do not.
    workers: [{ name: "outbox", start: () => ctx.notify.start(), stop: (ms) => ctx.notify.stop(ms) }],
  };
  profile.push(deliveryProfileExtras(ctx));
  const privacy: Feature = { name: "privacy", pages: [privacyPages(ctx)] };
  profile.push(privacyProfileExtras(ctx));
  const auth: Feature = {
    name: "auth",
    pages: [authRoutes(ctx), accountRoutes(ctx), adminPages(ctx)],
    cli: authCommands(ctx),
  };
  return [
    service,
    invitations,
    registrations,
    auth,
    { name: "dashboard", pages: [dashboardPages(ctx)] },
    print,
    notify,
    privacy,
    kiosk,
    people,
    { name: "audit", pages: [auditPages(ctx)] },
    { name: "webhooks", pages: [webhookPages(ctx)] },
    { name: "branding", pages: [brandingAdmin(ctx)] },
    { name: "settings", pages: [orgSetupPages(ctx)] },
    { name: "apidocs", api: [openApiRoute()], pages: [apiDocsPages()] },
    { name: "backup", cli: backupCommands(ctx) },
  ];
}
