import type { Actor } from "../core/events.js";
import type { OutboxRow } from "./outbox.repo.js";

export const OUTBOX_CHANNELS = ["email", "sms", "webhook"] as const;
export type OutboxChannel = (typeof OUTBOX_CHANNELS)[number];
/**
 * `saved` (written to DATA_DIR/outbox, no mail server) and `logged` (SMS_PROVIDER=log) are
 * ends of their own: nobody received the message, so they are never shown or counted as sent.
 */
export const OUTBOX_STATES = ["queued", "sending", "sent", "saved", "logged", "failed"] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

/** A message as pages and the API see it: never its payload beyond a one-line summary. */
export type Delivery = {
  id: number;
  kind: string;
  channel: OutboxChannel;
  userId: number | null;
  recipient: string;
  /** The email's subject or "SMS, 72 characters": what was sent, without the link in it. */
  summary: string;
  state: OutboxState;
  attempts: number;
  /** When it is tried next (queued) or when its claim's lease ends (sending). */
  nextAttemptAt: string | null;
  lastError: string | null;
  providerId: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
};

/** A claimed message as the worker handles it: payload parsed, times in ms. */
export type OutboxMessage = Omit<OutboxRow, "payload"> & { payload: Record<string, unknown> };

export type NewMessage = {
  kind: string;
  channel: OutboxChannel;
  userId: number | null;
  recipient: string;
  payload: Record<string, unknown>;
  createdBy: string | null;
};

/**
 * How one kind of message (invitation, later webhook deliveries) is handled around the
 * generic outbox: made ready just before sending (fresh secrets, checks that it still
 * should go), told of the outcome, and resent from the Deliveries page.
 */
export type KindHandler = {
  prepare?: (message: OutboxMessage) => Promise<Prepared>;
  onSent?: (message: OutboxMessage) => Promise<void>;
  /** Called once, when the message has failed for good; `reason` is set when it is free of personal data. */
  onFailed?: (message: OutboxMessage, reason: string | null) => Promise<void>;
  resend?: (message: OutboxMessage, actor: Actor) => Promise<Delivery>;
};

/** What goes out on the wire, per channel. */
export type Outgoing =
  | {
      channel: "email";
      to: string;
      subject: string;
      text: string;
      html: string;
      attachments: Array<{ cid: string; filename: string; contentType: string; content: Buffer }>;
    }
  | { channel: "sms"; to: string; body: string; userId: number | null }
  | { channel: "webhook"; to: string; body: string; headers: Record<string, string> };

/**
 * `secrets`: strings that must never reach a log or a stored error (the link and code the
 * prepared message carries); `rewrite`: new stored content when it changed since queueing.
 */
export type Prepared = {
  outgoing: Outgoing;
  secrets: string[];
  rewrite?: { recipient: string; payload: Record<string, unknown> };
};
