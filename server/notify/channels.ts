import type { Config } from "../core/config.js";
import { type Message, message } from "../core/message.js";

export type ChannelStatus = { channel: "email" | "sms"; connected: boolean; label: Message; detail: Message };

/** The server an SMTP URL names, without its user or password. */
function smtpHost(url: string): string | null {
  try {
    const u = new URL(url);
    return u.port ? `${u.hostname}:${u.port}` : u.hostname;
  } catch {
    return null;
  }
}

/**
 * Which channels really reach people: without SMTP_URL emails become files in
 * DATA_DIR/outbox, and SMS_PROVIDER=log only logs. Settings and the dashboard say so, in
 * the reader's language (`say(ch.label)`; `.text` is the English).
 */
export function channelStatus(config: Pick<Config, "smtpUrl" | "smsProvider">): ChannelStatus[] {
  const host = config.smtpUrl ? smtpHost(config.smtpUrl) : null;
  const email: ChannelStatus = config.smtpUrl
    ? {
        channel: "email",
        connected: true,
        label: message("common:channel.emailConnected"),
        detail: host ? message("common:channel.emailThrough", { host }) : message("common:channel.emailThroughConfigured"),
      }
    : {
        channel: "email",
        connected: false,
        label: message("common:channel.emailKept"),
        detail: message("common:channel.emailKeptDetail"),
      };
  const sms: ChannelStatus =
    config.smsProvider === "log"
      ? {
          channel: "sms",
          connected: false,
          label: message("common:channel.smsKept"),
          detail: message("common:channel.smsKeptDetail"),
        }
      : {
          channel: "sms",
          connected: true,
          label: message("common:channel.smsConnected"),
          detail: message(config.smsProvider === "twilio" ? "common:channel.smsTwilio" : "common:channel.smsWebhook"),
        };
  return [email, sms];
}
