import type { User } from "../people/index.js";
import type { Outbox } from "./outbox.service.js";

/**
 * What a person's profile needs from delivery (a section of the profile page, beside the
 * invitation card's): their sends, newest first, and which send buttons apply. "Send SMS" is
 * offered only with a phone and consent; neither button for people who joined or were
 * deactivated (the service would refuse them with 409).
 */
export function deliveryProfileExtras(deps: { outbox: Pick<Outbox, "forUser"> }) {
  return async (user: User) => ({
    deliveries: await deps.outbox.forUser(user.id),
    canSendEmail: user.status === "pending" && Boolean(user.email),
    canSendSms: user.status === "pending" && Boolean(user.phone) && user.phoneConsent,
  });
}
