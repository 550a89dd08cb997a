import { createHmac, randomBytes, randomUUID } from "node:crypto";
import type { Knex } from "knex";
import { Sealer } from "../auth/index.js";
import { nowMs } from "../core/db/convert.js";
import { NotFoundError, ValidationError } from "../core/errors.js";
import { type Actor, type DomainEvent, type EventBus, says } from "../core/events.js";
import { type Message, message } from "../core/message.js";
import type { AddressPolicy } from "../core/security/address-policy.js";
import type { Delivery, Outbox, OutboxMessage, OutboxWorker, Outgoing, Prepared } from "../notify/index.js";
import { DeliveryError, postForDelivery } from "../notify/index.js";
import * as repo from "./webhooks.repo.js";
import type { Webhook } from "./webhooks.types.js";

export const WEBHOOK_KIND = "webhook";
/** The events a webhook can subscribe to; later issues append theirs. */
export const WEBHOOK_EVENTS = [
  "user.created",
  "user.joined",
  "invitation.sent",
  "invitation.failed",
  "print.job.completed",
  "print.job.failed",
] as const;
export const MIN_SECRET_LENGTH = 16;
const MAX_SECRET_LENGTH = 200;

export type WebhookInput = { url?: unknown; secret?: unknown; events?: unknown };
export type WebhookDelivery = Delivery & { event: string };

export type WebhooksDeps = {
  db: Knex;
  events: EventBus;
  outbox: Outbox;
  worker: OutboxWorker;
  secretKey: string;
  addresses: AddressPolicy;
};

/**
 * The signature a receiver checks: hex HMAC-SHA256, keyed with the webhook's secret, of
 * "<X-Invite-Timestamp>.<raw body>". Receivers should refuse timestamps more than a few
 * minutes old.
 */
export function signDelivery(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/**
 * Webhooks: admins register where other systems want to hear what happened. Each event a
 * webhook subscribes to becomes one outbox message (kind and channel "webhook"), so a
 * receiver that is down gets it later, with the outbox's retries, and the delivery log is
 * the outbox's own record. The body is fixed when the event happens; the signature and
 * its timestamp are made at each attempt, with the webhook's current secret.
 */
/** How long the subscriptions are reused: another instance's change reaches this one within it. */
const SUBSCRIPTIONS_CACHE_MS = 5_000;

export class WebhooksService {
  private readonly sealer: Sealer;
  private subscriptions: { at: number; hooks: Promise<Webhook[]> } | null = null;

  constructor(private deps: WebhooksDeps) {
    this.sealer = new Sealer(deps.secretKey, "webhook-secret-seal");
    deps.outbox.registerKind(WEBHOOK_KIND, { prepare: (m) => this.prepare(m) });
    deps.worker.registerTransport("webhook", async (o, m) => {
      // Checked again at each send: a name resolves anew, and the admin setting may have changed.
      const refused = o.channel === "webhook" ? await deps.addresses.refusal(o.to, "webhook") : null;
      if (refused) throw new DeliveryError(`The webhook's address ${refused}`, { permanent: true, safe: true });
      return post(o, m.id);
    });
    deps.events.onAny((name, event) => this.fanOut(name, event));
  }

  async list(): Promise<Webhook[]> {
    return (await repo.listWebhooks(this.deps.db)).map(repo.toWebhook);
  }

  async get(id: number): Promise<Webhook> {
    const row = await repo.findWebhook(this.deps.db, id);
    if (!row) throw new NotFoundError(message("errors:webhookNotFound", { id }));
    return repo.toWebhook(row);
  }

  /** Registers a webhook; the secret (given or generated) is returned this once. */
  async create(input: WebhookInput, actor: Actor): Promise<{ webhook: Webhook; secret: string }> {
    const { url, secret, events } = validate(input);
    const refused = await this.deps.addresses.refusalMessage(url, "webhook");
    if (refused) throw new ValidationError({ url: refused });
    const id = await repo.insertWebhook(this.deps.db, {
      url,
      secretSealed: this.sealer.seal(secret),
      events,
      active: true,
      now: nowMs(),
    });
    this.subscriptions = null;
    await this.deps.events.emit("webhook.created", {
      actor,
      ...says("webhookCreated", { id, events: events.join(", ") }),
      target: { type: "webhook", id },
      webhookId: id,
    });
    return { webhook: await this.get(id), secret };
  }

  async setActive(id: number, active: boolean, actor: Actor): Promise<Webhook> {
    if (!(await repo.setActive(this.deps.db, id, active, nowMs())))
      throw new NotFoundError(message("errors:webhookNotFound", { id }));
    this.subscriptions = null;
    await this.deps.events.emit(active ? "webhook.enabled" : "webhook.disabled", {
      actor,
      ...says(active ? "webhookEnabled" : "webhookDisabled", { id }),
      target: { type: "webhook", id },
      webhookId: id,
    });
    return this.get(id);
  }

  /** Deletes a webhook; its queued deliveries fail when their turn comes. */
  async remove(id: number, actor: Actor): Promise<void> {
    if (!(await repo.deleteWebhook(this.deps.db, id))) throw new NotFoundError(message("errors:webhookNotFound", { id }));
    this.subscriptions = null;
    await this.deps.events.emit("webhook.deleted", {
      actor,
      ...says("webhookDeleted", { id }),
      target: { type: "webhook", id },
      webhookId: id,
    });
  }

  /** A webhook's latest deliveries, newest first (state, attempts, last error from the outbox). */
  async deliveries(webhookId: number, limit = 10): Promise<WebhookDelivery[]> {
    const links = await repo.recentDeliveryIds(this.deps.db, webhookId, limit);
    const out: WebhookDelivery[] = [];
    for (const link of links) {
      try {
        out.push({ ...(await this.deps.outbox.get(link.outboxId)), event: link.event });
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
    }
    return out;
  }

  /** One outbox message per active webhook subscribed to the event, queued with its link row. */
  private async fanOut(name: string, event: DomainEvent): Promise<void> {
    if (!(WEBHOOK_EVENTS as readonly string[]).includes(name)) return;
    const hooks = (await this.activeHooks()).filter((w) => w.events.includes(name));
    if (!hooks.length) return;
    const data = idsOf(event);
    const occurredAt = new Date(nowMs()).toISOString();
    for (const hook of hooks) {
      const body = JSON.stringify({ id: randomUUID(), event: name, occurredAt, data });
      await this.deps.db.transaction(async (trx) => {
        const delivery = await this.deps.outbox.enqueue(
          {
            kind: WEBHOOK_KIND,
            channel: "webhook",
            userId: typeof data.userId === "number" ? data.userId : null,
            recipient: hook.url,
            payload: { webhookId: hook.id, event: name, body },
            createdBy: `webhook #${hook.id}`,
          },
          { db: trx, wake: false },
        );
        await repo.linkDelivery(trx, delivery.id, hook.id, name);
      });
    }
    this.deps.outbox.wake();
  }

  /**
   * The active webhooks, read at most every few seconds: every join, send and registration
   * asks, and they change rarely. A failed read is not kept.
   */
  private activeHooks(): Promise<Webhook[]> {
    if (this.subscriptions && Date.now() - this.subscriptions.at < SUBSCRIPTIONS_CACHE_MS) return this.subscriptions.hooks;
    const hooks = repo.activeWebhooks(this.deps.db).then((rows) => rows.map(repo.toWebhook));
    const entry = { at: Date.now(), hooks };
    this.subscriptions = entry;
    hooks.catch(() => {
      if (this.subscriptions === entry) this.subscriptions = null;
    });
    return hooks;
  }

  /** Signs the stored body with the webhook's current secret, at the moment of sending. */
  private async prepare(message: OutboxMessage): Promise<Prepared> {
    const { webhookId, event, body } = message.payload as { webhookId?: number; event?: string; body?: string };
    const row = typeof webhookId === "number" ? await repo.findWebhook(this.deps.db, webhookId) : undefined;
    if (!row || typeof body !== "string" || typeof event !== "string") {
      throw new DeliveryError("The webhook was deleted before this delivery could be sent", { permanent: true, safe: true });
    }
    const hook = repo.toWebhook(row);
    if (!hook.active) throw new DeliveryError("The webhook is disabled", { permanent: true, safe: true });
    const secret = this.sealer.unseal(row.secret_sealed);
    const timestamp = String(Math.floor(nowMs() / 1000));
    return {
      outgoing: {
        channel: "webhook",
        to: hook.url,
        body,
        headers: {
          "content-type": "application/json",
          "user-agent": "InviteStation",
          "x-invite-event": event,
          "x-invite-delivery": String(message.id),
          "x-invite-timestamp": timestamp,
          "x-invite-signature": signDelivery(secret, timestamp, body),
        },
      },
      secrets: [secret],
    };
  }
}

/** The event's ids (userId, deliveryId, …) and its channel: never names, addresses or summaries. */
function idsOf(event: DomainEvent): Record<string, string | number | null> {
  const data: Record<string, string | number | null> = {};
  for (const [key, value] of Object.entries(event)) {
    const isId = /Id$/.test(key) && (typeof value === "number" || typeof value === "string" || value === null);
    const isChannel = key === "channel" && typeof value === "string";
    if (isId || isChannel) data[key] = value as string | number | null;
  }
  return data;
}

function validate(input: WebhookInput): { url: string; secret: string; events: string[] } {
  const errors: Record<string, Message> = {};
  const rawUrl = typeof input.url === "string" ? input.url.trim() : "";
  let url = "";
  try {
    const parsed = new URL(rawUrl);
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") errors.url = message("errors:webhook.urlScheme");
    else if (parsed.username || parsed.password) errors.url = message("errors:webhook.urlCredentials");
    else if (rawUrl.length > 500) errors.url = message("errors:webhook.urlTooLong", { max: 500 });
    else url = parsed.toString();
  } catch {
    errors.url = message(rawUrl ? "errors:webhook.urlInvalid" : "errors:webhook.urlMissing");
  }
  const rawSecret = typeof input.secret === "string" ? input.secret.trim() : "";
  let secret = rawSecret;
  if (!rawSecret) secret = randomBytes(24).toString("base64url");
  else if (rawSecret.length < MIN_SECRET_LENGTH)
    errors.secret = message("errors:webhook.secretShort", { min: MIN_SECRET_LENGTH });
  else if (rawSecret.length > MAX_SECRET_LENGTH) errors.secret = message("errors:webhook.secretLong", { max: MAX_SECRET_LENGTH });
  const list =
    input.events === undefined || input.events === null ? [] : Array.isArray(input.events) ? input.events : [input.events];
  const events = [...new Set(list.map(String))];
  const unknown = events.filter((e) => !(WEBHOOK_EVENTS as readonly string[]).includes(e));
  if (!events.length) errors.events = message("errors:webhook.eventsNone");
  else if (unknown.length) errors.events = message("errors:webhook.eventsUnknown", { events: unknown.join(", ") });
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return { url, secret, events };
}

/** Puts one delivery on the wire; anything but 2xx is an error the outbox retries. */
async function post(o: Outgoing, outboxId: number): Promise<{ providerId: string | null }> {
  if (o.channel !== "webhook") throw new Error(`outbox #${outboxId}: an ${o.channel} message on the webhook channel`);
  const res = await postForDelivery("Webhook", o.to, { headers: o.headers, body: o.body }, { safe: true });
  await res.body?.cancel().catch(() => {});
  if (!res.ok) throw new DeliveryError(`Webhook answered ${res.status} ${res.statusText}`.trim(), { safe: true });
  return { providerId: null };
}
