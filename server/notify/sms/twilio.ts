import type { Config } from "../../core/config.js";
import { DeliveryError, isPermanentHttpStatus, postForDelivery } from "../delivery-error.js";
import type { Sms, SmsProvider } from "./sms.types.js";

/**
 * SMS_PROVIDER=twilio: the Messages REST API, `POST {base}/2010-04-01/Accounts/{sid}/Messages.json`
 * form-encoded with basic auth. The message's `sid` is the provider's reference. A
 * messaging service SID (MG…) as TWILIO_FROM is sent as MessagingServiceSid.
 */
export class TwilioSmsProvider implements SmsProvider {
  readonly name = "twilio";
  constructor(private twilio: NonNullable<Config["twilio"]>) {}

  async send(sms: Sms): Promise<{ providerId: string | null }> {
    const { accountSid, authToken, from, baseUrl } = this.twilio;
    const form = new URLSearchParams({ To: sms.to, Body: sms.body });
    if (/^MG[0-9a-fA-F]{32}$/.test(from)) form.set("MessagingServiceSid", from);
    else form.set("From", from);
    const res = await postForDelivery(
      "Twilio",
      `${baseUrl}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`,
      {
        headers: {
          authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`,
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
        },
        body: form.toString(),
      },
    );
    const json = (await res.json().catch(() => ({}))) as { sid?: unknown; code?: unknown; message?: unknown };
    if (!res.ok) {
      // Twilio's own error: its code (https://www.twilio.com/docs/api/errors) and message.
      const code = json.code !== undefined ? ` error ${String(json.code)}` : "";
      const msg = typeof json.message === "string" ? `: ${json.message.slice(0, 200)}` : "";
      throw new DeliveryError(`Twilio answered ${res.status}${code}${msg}`, { permanent: isPermanentHttpStatus(res.status) });
    }
    if (typeof json.sid !== "string") throw new DeliveryError(`Twilio answered ${res.status} without a message sid`);
    return { providerId: json.sid };
  }
}
