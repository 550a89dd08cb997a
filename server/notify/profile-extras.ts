import type { User } from "../people/index.js";
import type { Context } from "../station.js";
import { notifyOf } from "./index.js";

/**
 * What a person's profile needs from delivery (passed to userPages with the invitation
 * card's extras): their sends, newest first, and which send buttons apply. "Send SMS" is
 * offered only with a phone and consent; neither button for people who joined or were
 * deactivated (the service would refuse them with 409).
 */
export function deliveryProfileExtras(ctx: Context) {
  return async (user: User) => ({
    deliveries: await notifyOf(ctx).deliveriesFor(user.id),
    canSendEmail: user.status === "pending" && Boolean(user.email),
    canSendSms: user.status === "pending" && Boolean(user.phone) && user.phoneConsent,
  });
}
