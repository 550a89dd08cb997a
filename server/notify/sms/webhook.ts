import { createHmac } from "node:crypto";
import { DeliveryError, isPermanentHttpStatus, postForDelivery } from "../delivery-error.js";
import type { Sms, SmsProvider } from "./sms.types.js";

/**
 * The signature a receiver checks: hex HMAC-SHA256, keyed with SECRET_KEY, of
 * "<timestamp>.<raw body>", where the timestamp is the X-Invite-Timestamp header (Unix
 * seconds). Receivers should also refuse timestamps more than a few minutes old.
 */
export function signWebhook(secret: string, timestamp: string, rawBody: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${rawBody}`).digest("hex")}`;
}

/**
 * SMS_PROVIDER=webhook: POSTs `{to, body, userId}` as JSON to SMS_WEBHOOK_URL, signed. Any
 * answer outside 2xx is an error; a JSON answer's `id` (or `messageId`, `sid`) is kept
 * as the provider's reference.
 */
export class WebhookSmsProvider implements SmsProvider {
  readonly name = "webhook";
  constructor(
    private url: string,
    private secret: string,
  ) {}

  async send(sms: Sms): Promise<{ providerId: string | null }> {
    const body = JSON.stringify({ to: sms.to, body: sms.body, userId: sms.userId });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const res = await postForDelivery("SMS webhook", this.url, {
      headers: {
        "content-type": "application/json",
        "user-agent": "InviteStation",
        "x-invite-timestamp": timestamp,
        "x-invite-signature": signWebhook(this.secret, timestamp, body),
      },
      body,
    });
    const text = await res.text().catch(() => "");
    if (!res.ok) {
      // The receiver's answer is not shown: it might echo the message, link included.
      throw new DeliveryError(`SMS webhook answered ${res.status} ${res.statusText}`.trim(), {
        permanent: isPermanentHttpStatus(res.status),
      });
    }
    return { providerId: referenceIn(text) };
  }
}

function referenceIn(text: string): string | null {
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    const ref = json.id ?? json.messageId ?? json.sid;
    return typeof ref === "string" || typeof ref === "number" ? String(ref).slice(0, 191) : null;
  } catch {
    return null;
  }
}
