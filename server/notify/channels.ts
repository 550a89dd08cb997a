import type { Config } from "../core/config.js";

export type ChannelStatus = { channel: "email" | "sms"; connected: boolean; label: string; detail: string };

/** The server an SMTP URL names, without its user or password. */
function smtpHost(url: string): string {
  try {
    const u = new URL(url);
    return u.port ? `${u.hostname}:${u.port}` : u.hostname;
  } catch {
    return "the configured server";
  }
}

/**
 * Which channels really reach people: without SMTP_URL emails become files in
 * DATA_DIR/outbox, and SMS_PROVIDER=log only logs. Settings and the dashboard say so.
 */
export function channelStatus(config: Pick<Config, "smtpUrl" | "smsProvider">): ChannelStatus[] {
  const email: ChannelStatus = config.smtpUrl
    ? { channel: "email", connected: true, label: "Email: connected", detail: `Sent through ${smtpHost(config.smtpUrl)}.` }
    : {
        channel: "email",
        connected: false,
        label: "Email: saved as a file — no mail server set up",
        detail: "Nobody receives these emails: each is written to the outbox folder in DATA_DIR. Set SMTP_URL to send them.",
      };
  const sms: ChannelStatus =
    config.smsProvider === "log"
      ? {
          channel: "sms",
          connected: false,
          label: "SMS: logged only — no SMS provider",
          detail:
            "Nobody receives these messages: they are only written to the service log. Set SMS_PROVIDER to webhook or twilio.",
        }
      : {
          channel: "sms",
          connected: true,
          label: "SMS: connected",
          detail: `Sent through ${config.smsProvider === "twilio" ? "Twilio" : "the SMS webhook"}.`,
        };
  return [email, sms];
}
