import { randomBytes } from "node:crypto";
import type { Logger } from "../../core/log.js";
import { smsSize } from "./gsm.js";
import type { Sms, SmsProvider } from "./sms.types.js";

/**
 * The default: nothing is sent, the send is only logged. The body carries the personal
 * link, so the log line has the (masked) recipient and the length, never the text.
 */
export class LogSmsProvider implements SmsProvider {
  readonly name = "log";
  constructor(private log: Logger) {}

  async send(sms: Sms): Promise<{ providerId: string | null; kept: "logged" }> {
    const size = smsSize(sms.body);
    const providerId = `log-${randomBytes(6).toString("hex")}`;
    this.log.info(
      { sms: { to: maskPhone(sms.to), length: size.units, encoding: size.encoding, providerId } },
      `SMS to ${maskPhone(sms.to)}: ${size.units} characters (SMS_PROVIDER=log: logged, not sent)`,
    );
    return { providerId, kept: "logged" };
  }
}

/** A phone number as it may appear in a log: country code and last two digits. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/[^\d+]/g, "");
  if (digits.length <= 6) return "•••";
  return `${digits.slice(0, 3)}${"•".repeat(digits.length - 5)}${digits.slice(-2)}`;
}
