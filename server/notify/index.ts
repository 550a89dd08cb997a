import type { Context } from "../station.js";
import { BulkInvite } from "./bulk-invite.js";
import { InvitationSender } from "./invitation-sender.js";
import { createMailer } from "./mailer.js";
import { type Delivery, Outbox } from "./outbox.js";
import { OutboxWorker } from "./outbox-worker.js";
import { createSmsProvider } from "./sms/provider.js";

/** Email, SMS and the outbox they go through, built once per process. */
export type Notify = {
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
};

type Deps = Pick<Context, "config" | "log" | "db" | "events" | "settings" | "users" | "invitations">;

export function createNotify(deps: Deps): Notify {
  const { config, log, db } = deps;
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
  const invitations = new InvitationSender({ ...deps, outbox });
  const bulk = new BulkInvite({ db, users: deps.users, sender: invitations, settings: deps.settings, log });
  return {
    outbox,
    worker,
    invitations,
    bulk,
    deliveriesFor: (userId) => outbox.forUser(userId),
    start: () => worker.start(),
    stop: async (ms = 5_000) => {
      await Promise.all([worker.stop(ms), bulk.stop()]);
      mailer.close();
    },
  };
}

/** The context's Notify (kept as a function so callers need not know where it lives). */
export function notifyOf(ctx: Context): Notify {
  return ctx.notify;
}

export type { BulkTarget } from "./bulk-invite.js";
export { channelStatus } from "./channels.js";
export { DeliveryError, postForDelivery } from "./delivery-error.js";
export { removeEmlFiles } from "./mailer.js";
export { type Delivery, OUTBOX_STATES, type Outbox, type OutboxMessage, type Outgoing, type Prepared } from "./outbox.js";
export type { OutboxWorker } from "./outbox-worker.js";
