import { randomBytes } from "node:crypto";
import path from "node:path";
import ejs from "ejs";
import QRCode from "qrcode";
import { ConflictError, NotFoundError, ValidationError } from "../core/errors.js";
import { type Actor, type EventBus, says, systemActor } from "../core/events.js";
import { intlLocale, pickLanguage, type TFunction, translator } from "../core/i18n/index.js";
import { message as msg } from "../core/message.js";
import { PROJECT_ROOT } from "../core/root.js";
import type { InvitationsService, InvitationView } from "../invitations/index.js";
import type { User, UsersService } from "../people/index.js";
import type { Settings, SettingsService } from "../settings/index.js";
import { DeliveryError } from "./delivery-error.js";
import type { Outbox } from "./outbox.service.js";
import type { Delivery, OutboxMessage, Prepared } from "./outbox.types.js";
import { pickSmsText, smsSize, truncate } from "./sms/gsm.js";

export const INVITATION_CHANNELS = ["email", "sms"] as const;
export type InvitationChannel = (typeof INVITATION_CHANNELS)[number];
export const INVITATION_KIND = "invitation";

const QR_CID = "invitation-qr@invite-station";
const template = (name: string) => path.join(PROJECT_ROOT, "views/emails", name);

/**
 * What the outbox stores for an invitation. The link and the typed code are secrets that
 * are never stored in the clear (design, "Tokens"): the rendered texts carry random
 * markers in their place, which are replaced with the person's current link and code just
 * before sending (and the QR code is drawn then too).
 */
type InvitationPayload = {
  invitationId: number;
  language: string;
  markers: { link: string; code: string };
  subject?: string;
  text?: string;
  html?: string;
  body?: string;
  length?: number;
};

export function isInvitationChannel(value: unknown): value is InvitationChannel {
  return typeof value === "string" && (INVITATION_CHANNELS as readonly string[]).includes(value);
}

/** The channel field of a form or API body, or a 400 that names it. */
export function parseInvitationChannel(value: unknown): InvitationChannel {
  if (value === undefined || value === null || value === "")
    throw new ValidationError({ channel: 'is required: "email" or "sms"' });
  if (!isInvitationChannel(value)) throw new ValidationError({ channel: 'must be "email" or "sms"' });
  return value;
}

/**
 * Sends a person their invitation by email or SMS, through the outbox: checks that the
 * channel can reach them (an address; a phone with consent), renders the message in
 * their language and queues it. The outbox worker then calls `prepare` to put the live
 * link in, checking once more that the person should still get it.
 */
export class InvitationSender {
  constructor(
    private deps: {
      events: EventBus;
      users: UsersService;
      invitations: InvitationsService;
      settings: SettingsService;
      outbox: Outbox;
    },
  ) {
    deps.outbox.registerKind(INVITATION_KIND, {
      prepare: (m) => this.prepare(m),
      // Written to a file or a log only: recorded as such, never as an invitation sent.
      onSent: (m) => this.announce(m.state === "sent" ? "invitation.sent" : "invitation.kept", m, null),
      onFailed: (m, reason) => this.announce("invitation.failed", m, reason),
      resend: (m, actor) => this.resend(m, actor),
    });
    // Messages still waiting when they can no longer help are failed, with the reason.
    deps.events.on("user.joined", (e) => this.cancelFor(e.userId, "The person joined before it was sent."));
    deps.events.on("user.deactivated", (e) => this.cancelFor(e.userId, "The person was deactivated before it was sent."));
    // The foreign key has already cut them loose from the person: forget address and content.
    deps.events.on("user.erased", async () => {
      await deps.outbox.scrubErased(INVITATION_KIND);
    });
  }

  /** Queues the person's invitation on `channel`; 409 when that channel cannot or may not reach them. */
  async send(userId: number, channel: unknown, actor: Actor): Promise<Delivery> {
    const via = parseInvitationChannel(channel);
    await this.deps.settings.requireSetup();
    const user = await this.deps.users.get(userId);
    const recipient = this.reachable(user, via);
    const invitation = await this.deps.invitations.current(userId);
    if (invitation.state !== "active") {
      throw new ConflictError(msg("errors:invitationNotActive", { id: userId, state: invitation.state }));
    }
    const payload = await this.render(user, invitation, via);
    const delivery = await this.deps.outbox.enqueue(
      { kind: INVITATION_KIND, channel: via, userId, recipient, payload, createdBy: actor.label },
      { wake: false },
    );
    try {
      await this.deps.events.emit("invitation.queued", {
        actor,
        ...says("invitationQueued", { userId, channel: via, deliveryId: delivery.id }),
        target: { type: "user", id: userId },
        userId,
        channel: via,
        deliveryId: delivery.id,
      });
    } finally {
      this.deps.outbox.wake();
    }
    return delivery;
  }

  /** Where `channel` reaches the person, or the 409 that says why it does not. */
  private reachable(user: User, channel: InvitationChannel): string {
    if (user.status === "deactivated") {
      throw new ConflictError(msg("errors:sendDeactivated", { id: user.id }));
    }
    if (user.status === "active") throw new ConflictError(msg("errors:sendJoined", { id: user.id }));
    if (channel === "email") {
      if (!user.email) throw new ConflictError(msg("errors:sendNoEmail", { id: user.id }));
      return user.email;
    }
    if (!user.phone) throw new ConflictError(msg("errors:sendNoPhone", { id: user.id }));
    // Consent is required to store a phone at all; this also covers data from before that rule.
    if (!user.phoneConsent) throw new ConflictError(msg("errors:sendNoConsent", { id: user.id }));
    return user.phone;
  }

  private async render(user: User, invitation: InvitationView, channel: InvitationChannel): Promise<InvitationPayload> {
    const settings = await this.deps.settings.get();
    // The person's language, else the organization's (people from before it was set).
    const language = pickLanguage(user.language, settings.defaultLanguage);
    const t = translator(language);
    // Alphanumeric, so HTML escaping and URL contexts leave them intact; random, so no name can forge one.
    const markers = { link: `INVLINK${randomBytes(10).toString("hex")}`, code: `INVCODE${randomBytes(10).toString("hex")}` };
    const base = { invitationId: invitation.id, language, markers };
    if (channel === "sms") {
      const body = smsText(t, settings, invitation.url, markers.link);
      return { ...base, body, length: smsSize(body.replace(markers.link, invitation.url)).units };
    }
    const data = {
      t,
      lang: language,
      firstName: user.firstName,
      org: settings.organizationName,
      app: settings.appName,
      link: markers.link,
      code: markers.code,
      qrCid: QR_CID,
      appStoreUrl: settings.appStoreUrl,
      playStoreUrl: settings.playStoreUrl,
      expires: invitation.expiresAt
        ? new Intl.DateTimeFormat(intlLocale(language), {
            day: "numeric",
            month: "long",
            year: "numeric",
            timeZone: "UTC",
          }).format(new Date(invitation.expiresAt))
        : null,
    };
    const [html, text] = await Promise.all([
      ejs.renderFile(template("invitation.html.ejs"), data, { cache: true }),
      ejs.renderFile(template("invitation.text.ejs"), data, { cache: true }),
    ]);
    return { ...base, subject: t("email:subject", { org: settings.organizationName, app: settings.appName }), html, text };
  }

  /**
   * Just before sending: the person must still be pending and reachable on the channel and
   * their invitation still active. A message queued before the link was regenerated or the
   * address corrected is rendered again, so what goes out always works.
   */
  private async prepare(message: OutboxMessage): Promise<Prepared> {
    const gone = (why: string) => new DeliveryError(why, { permanent: true, safe: true });
    if (message.user_id === null) throw gone("The person was erased before it was sent.");
    const channel = message.channel as InvitationChannel;
    let user: User;
    try {
      user = await this.deps.users.get(message.user_id);
    } catch (err) {
      if (err instanceof NotFoundError) throw gone("The person was erased before it was sent.");
      throw err;
    }
    let recipient: string;
    try {
      recipient = this.reachable(user, channel);
    } catch (err) {
      if (err instanceof ConflictError) throw gone(err.message);
      throw err;
    }
    const invitation = await this.deps.invitations.current(user.id);
    if (invitation.state !== "active") {
      throw gone(`The invitation link was ${invitation.state} before it was sent: make a new one and send again.`);
    }
    let payload = message.payload as InvitationPayload;
    let rewrite: Prepared["rewrite"];
    if (payload.invitationId !== invitation.id || recipient !== message.recipient || !payload.markers) {
      payload = await this.render(user, invitation, channel);
      rewrite = { recipient, payload };
    }
    const fill = (text: string) =>
      text.split(payload.markers.link).join(invitation.url).split(payload.markers.code).join(invitation.code);
    const secrets = [invitation.url, invitation.token, invitation.code];
    if (channel === "sms") {
      return { outgoing: { channel: "sms", to: recipient, body: fill(payload.body ?? ""), userId: user.id }, secrets, rewrite };
    }
    const qr = await QRCode.toBuffer(invitation.url, { type: "png", errorCorrectionLevel: "M", margin: 4, width: 264 });
    return {
      outgoing: {
        channel: "email",
        to: recipient,
        subject: payload.subject ?? "",
        text: fill(payload.text ?? ""),
        html: fill(payload.html ?? ""),
        attachments: [{ cid: QR_CID, filename: "invitation-qr.png", contentType: "image/png", content: qr }],
      },
      secrets,
      rewrite,
    };
  }

  private async resend(message: OutboxMessage, actor: Actor): Promise<Delivery> {
    if (message.user_id === null) throw new ConflictError(msg("errors:deliveryErased"));
    return this.send(message.user_id, message.channel, actor);
  }

  private async cancelFor(userId: unknown, reason: string) {
    if (typeof userId === "number") await this.deps.outbox.failQueuedFor(userId, INVITATION_KIND, reason);
  }

  /** invitation.sent / invitation.failed, for the audit log, webhooks and the person's history. */
  private async announce(name: string, m: OutboxMessage, reason: string | null) {
    const values = { userId: m.user_id, channel: m.channel, deliveryId: m.id };
    const said =
      name === "invitation.sent"
        ? says("invitationSent", values)
        : name === "invitation.kept"
          ? says("invitationKept", { ...values, state: m.state })
          : says("invitationFailed", { ...values, reason: reason ?? "", hasReason: reason ? "yes" : "no" });
    await this.deps.events.emit(name, {
      actor: systemActor,
      ...said,
      ...(m.user_id === null ? {} : { target: { type: "user", id: m.user_id } }),
      userId: m.user_id,
      channel: m.channel,
      deliveryId: m.id,
      attempts: m.attempts,
    });
  }
}

/**
 * The SMS: "<Org>: join us on <App>: <link>" in the person's language, or a shorter form,
 * or the organization's name cut, whichever first fits one SMS. The choice is made with
 * the real link's length; the stored text carries the marker in its place.
 */
function smsText(t: TFunction, settings: Settings, link: string, marker: string): string {
  const org = settings.organizationName;
  const forms = [
    (l: string) => t("email:smsFull", { org, app: settings.appName, link: l }),
    (l: string) => t("email:smsShort", { org, link: l }),
    (l: string) => t("email:smsShort", { org: truncate(org, 30), link: l }),
    (l: string) => t("email:smsShort", { org: truncate(org, 12), link: l }),
  ];
  const chosen = pickSmsText(forms.map((f) => f(link)));
  const index = forms.findIndex((f) => f(link) === chosen);
  return (forms[index] ?? (forms[0] as (l: string) => string))(marker);
}
