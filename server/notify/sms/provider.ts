import type { Config } from "../../core/config.js";
import type { Logger } from "../../core/log.js";
import { LogSmsProvider } from "./log.js";
import { TwilioSmsProvider } from "./twilio.js";
import { WebhookSmsProvider } from "./webhook.js";

export type Sms = { to: string; body: string; userId: number | null };

/**
 * One interface for every way of sending an SMS (SMS_PROVIDER). A provider throws a
 * DeliveryError when the message did not go out; `providerId` is the provider's own
 * reference for it, when it gives one.
 */
export interface SmsProvider {
  readonly name: string;
  send(sms: Sms): Promise<{ providerId: string | null; kept?: "logged" }>;
}

export function createSmsProvider(config: Config, log: Logger): SmsProvider {
  switch (config.smsProvider) {
    case "webhook":
      return new WebhookSmsProvider(config.smsWebhookUrl as string, config.secretKey);
    case "twilio":
      if (!config.twilio) throw new Error("SMS_PROVIDER=twilio without its TWILIO_* configuration");
      return new TwilioSmsProvider(config.twilio);
    default:
      return new LogSmsProvider(log);
  }
}

/** A phone number as it may appear in a log: country code and last two digits. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/[^\d+]/g, "");
  if (digits.length <= 6) return "•••";
  return `${digits.slice(0, 3)}${"•".repeat(digits.length - 5)}${digits.slice(-2)}`;
}
