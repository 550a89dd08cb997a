import type { Config } from "../../core/config.js";
import type { Logger } from "../../core/log.js";
import { LogSmsProvider } from "./log.js";
import type { SmsProvider } from "./sms.types.js";
import { TwilioSmsProvider } from "./twilio.js";
import { WebhookSmsProvider } from "./webhook.js";

/** The provider SMS_PROVIDER names (the log by default). */
export function createSmsProvider(
  config: Pick<Config, "smsProvider" | "smsWebhookUrl" | "secretKey" | "twilio">,
  log: Logger,
): SmsProvider {
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
