import type { Knex } from "knex";
import { KioskLive } from "../kiosk/kiosk-live.js";
import { KiosksService } from "../kiosk/kiosks.service.js";
import { createPrint, type Print } from "../print/index.js";
import { LetterService } from "../print/letter/letter.service.js";
import { AuditLog } from "./audit/audit.js";
import { AdminsService } from "./auth/admins.service.js";
import { ApiKeysService } from "./auth/apikeys.js";
import { LoginLimiter } from "./auth/login-limiter.js";
import { SessionStore } from "./auth/sessions.js";
import { BrandingService } from "./branding/branding.service.js";
import type { Config } from "./config.js";
import { createDb } from "./db/knex.js";
import { EventBus } from "./events.js";
import { languageOfCountry } from "./i18n/index.js";
import { InvitationsService } from "./invitations/invitations.service.js";
import { JobRegistry } from "./jobs/registry.js";
import { Live } from "./live/live.js";
import type { Logger } from "./log.js";
import { AppMetrics } from "./metrics/app-metrics.js";
import { recordJobRun, recordLeaseTakeover } from "./metrics/registry.js";
import { createNotify, type Notify } from "./notify/index.js";
import { Reminders } from "./notify/reminders.js";
import { Facets } from "./people/facets.js";
import { GroupsService } from "./people/groups.service.js";
import { ImportsService } from "./people/import/imports.service.js";
import { UsersService } from "./people/users.service.js";
import { PrivacyService } from "./privacy/privacy.service.js";
import { PrivacySettingsService } from "./privacy/privacy-settings.js";
import { PhoneMatchService } from "./registrations/phone-match.service.js";
import { PhoneOtpService } from "./registrations/phone-otp.service.js";
import { AddressPolicy } from "./security/address-policy.js";
import { SettingsService } from "./settings.js";
import { WebhooksService } from "./webhooks/webhooks.service.js";
import { onLeaseTakeover } from "./work/work-queue.js";

/** Every service of the process, built once; routes, the CLI and jobs take what they need. */
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
  letters: LetterService;
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

export function createContext(config: Config, log: Logger, db: Knex = createDb(config.database, log)): Context {
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
  const context: Omit<Context, "print" | "metrics"> = {
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
    letters: new LetterService({ users, invitations, settings, branding }),
  };
  const print = createPrint({ ...context, letters: () => context.letters });
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
  return { ...context, print, metrics };
}
