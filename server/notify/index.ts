import type { Knex } from "knex";
import type { ApiKeyLookup } from "../core/auth/principals.js";
import type { Config } from "../core/config.js";
import type { EventBus } from "../core/events.js";
import type { Feature, Worker } from "../core/feature.js";
import type { Check } from "../core/http/health.js";
import type { Job } from "../core/jobs/registry.js";
import type { Logger } from "../core/log.js";
import type { InvitationsService } from "../invitations/index.js";
import type { GroupsService, UsersService } from "../people/index.js";
import type { SettingsService } from "../settings/index.js";
import { bulkInvitePages } from "./bulk-invite.routes.js";
import { BulkInvite } from "./bulk-invite.service.js";
import { deliveryProfileExtras } from "./deliveries.profile.js";
import { deliveryPages } from "./deliveries.routes.js";
import { invitationSendApi } from "./invitation-send.api.js";
import { InvitationSender } from "./invitation-sender.js";
import { createMailer } from "./mailer.js";
import { countByChannelAndState, countRetrying, outboxOverdue } from "./outbox.repo.js";
import { Outbox } from "./outbox.service.js";
import type { Delivery } from "./outbox.types.js";
import { OutboxWorker } from "./outbox-worker.js";
import { Reminders } from "./reminders.js";
import { createSmsProvider } from "./sms/provider.js";

export type NotifyDeps = {
  config: Pick<
    Config,
    "outboxRetrySeconds" | "smtpUrl" | "mailFrom" | "dataDir" | "smsProvider" | "smsWebhookUrl" | "secretKey" | "twilio"
  >;
  log: Logger;
  db: Knex;
  events: EventBus;
  settings: SettingsService;
  users: UsersService;
  /** The Deliveries and "Invite all pending" pages name the groups. */
  groups: GroupsService;
  invitations: InvitationsService;
  /** The API's key check (sending an invitation needs the `invitations` scope). */
  apiKeys: ApiKeyLookup;
};

/** Email, SMS and the outbox they go through, built once per process; and what notify adds to the service. */
export type Notify = Feature & {
  outbox: Outbox;
  worker: OutboxWorker;
  invitations: InvitationSender;
  /** "Invite all pending": runs kept in the database, resumed after a restart. */
  bulk: BulkInvite;
  /** A person's sends, newest first, for their profile (state, attempts, last error). */
  deliveriesFor: (userId: number) => Promise<Delivery[]>;
  /** Starts the worker (idempotent). */
  start: () => void;
  /** Stops the worker (sends in progress finish, up to `ms`) and bulk runs (resumed later), and closes the SMTP pool. */
  stop: (ms?: number) => Promise<void>;
  /** The profile page's delivery section: the person's sends and which send buttons apply. */
  profile: ReturnType<typeof deliveryProfileExtras>;
  /** For /metrics: messages by channel and state, and those waiting after a retry. */
  figures: {
    outboxByChannelAndState: () => ReturnType<typeof countByChannelAndState>;
    outboxRetrying: () => ReturnType<typeof countRetrying>;
  };
  /** Checks for /readyz: `outbox`, the backlog of messages overdue. */
  checks: Record<string, () => Promise<Check>>;
  api: NonNullable<Feature["api"]>;
  pages: NonNullable<Feature["pages"]>;
  jobs: Job[];
  workers: Worker[];
};

/** A queued message due this long ago means the outbox workers are behind (or none runs). */
const OUTBOX_LATE_MS = 5 * 60_000;

export function createNotify(deps: NotifyDeps): Notify {
  const { config, log, db, events, settings, users, groups } = deps;
  const outbox = new Outbox(db);
  const worker = new OutboxWorker(db, outbox, log, { firstRetrySeconds: config.outboxRetrySeconds });
  const mailer = createMailer(config, log);
  const sms = createSmsProvider(config, log);
  worker.registerTransport("email", (o, m) => {
    if (o.channel !== "email") throw new Error(`outbox #${m.id}: an ${o.channel} message on the email channel`);
    return mailer.send(o, m.id);
  });
  worker.registerTransport("sms", (o, m) => {
    if (o.channel !== "sms") throw new Error(`outbox #${m.id}: an ${o.channel} message on the sms channel`);
    return sms.send(o);
  });
  const sender = new InvitationSender({ events, users, invitations: deps.invitations, settings, outbox });
  const bulk = new BulkInvite({ db, users, sender, settings, log });
  const reminders = new Reminders({ db, users, invitations: deps.invitations, settings, sender, log });
  const start = () => worker.start();
  const stop = async (ms = 5_000) => {
    await Promise.all([worker.stop(ms), bulk.stop()]);
    mailer.close();
  };
  return {
    outbox,
    worker,
    invitations: sender,
    bulk,
    deliveriesFor: (userId) => outbox.forUser(userId),
    start,
    stop,
    name: "notify",
    api: [invitationSendApi({ apiKeys: deps.apiKeys, sender })],
    pages: [deliveryPages({ outbox, bulk, sender, users, groups }), bulkInvitePages({ bulk, groups })],
    // The outbox sends what the pages queue, so it runs even where scheduled jobs do not.
    workers: [{ name: "outbox", start, stop }],
    jobs: [
      { name: "invitations.remind", schedule: "30 9 * * *", leaseSeconds: 1800, run: () => reminders.run() },
      // A bulk invitation an instance stopped or died in the middle of is finished by another (or the next).
      { name: "invitations.bulk-resume", schedule: "* * * * *", leaseSeconds: 600, run: () => bulk.resumeStale() },
    ],
    profile: deliveryProfileExtras({ outbox }),
    figures: { outboxByChannelAndState: () => countByChannelAndState(db), outboxRetrying: () => countRetrying(db) },
    checks: {
      outbox: async () => {
        const late = await outboxOverdue(db, Date.now() - OUTBOX_LATE_MS);
        return { status: late > 0 ? "warn" : "ok", overdue: late };
      },
    },
  };
}

export type { BulkTarget } from "./bulk-invite.service.js";
export { channelStatus } from "./channels.js";
export { DeliveryError, postForDelivery, sayDeliveryError } from "./delivery-error.js";
export type { InvitationSender } from "./invitation-sender.js";
export { removeEmlFiles } from "./mailer.js";
export type { Outbox } from "./outbox.service.js";
export { type Delivery, OUTBOX_STATES, type OutboxMessage, type Outgoing, type Prepared } from "./outbox.types.js";
export type { OutboxWorker } from "./outbox-worker.js";
