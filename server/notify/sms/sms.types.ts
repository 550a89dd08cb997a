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
