import type { User } from "../people/index.js";
import type { InvitationState, InvitationView } from "./invitations.types.js";

/**
 * Why a person cannot be sent or printed an invitation now:
 * - `unknown`: no such person (never was, or erased since);
 * - `joined`: they are active already, there is nothing to send;
 * - `deactivated`: they cannot join until reactivated;
 * - `expired`, `revoked`, `used`: their current invitation no longer works. A new one is
 *   made only on purpose (regenerate), never behind the admin's back: it would stop a link
 *   the person may already hold.
 */
export type IneligibleReason = "unknown" | "joined" | "deactivated" | Exclude<InvitationState, "active">;

/** The verdict on one person: eligible with what a letter or a message needs, or the reason not. */
export type Eligibility =
  | { ok: true; userId: number; user: User; invitation: InvitationView }
  | { ok: false; userId: number; reason: "unknown" }
  | { ok: false; userId: number; reason: "joined" | "deactivated"; user: User }
  | { ok: false; userId: number; reason: Exclude<InvitationState, "active">; user: User; invitation: InvitationView };

/** The reasons that are about the person (as opposed to their invitation). */
export const PERSON_REASONS = ["unknown", "joined", "deactivated"] as const satisfies readonly IneligibleReason[];

/**
 * The one rule for who may be sent or printed an invitation: a person who exists, is
 * pending, and whose current invitation is active. The person is judged before the
 * invitation (a joined person's used link reads "joined"). `invitation` may be left out
 * for someone who is not pending; for a pending person it is their current invitation.
 * InvitationsService.eligibility reads both for many people at once and applies this.
 */
export function eligibilityOf(userId: number, user: User | undefined, invitation: InvitationView | undefined): Eligibility {
  if (!user) return { ok: false, userId, reason: "unknown" };
  if (user.status === "active") return { ok: false, userId, user, reason: "joined" };
  if (user.status === "deactivated") return { ok: false, userId, user, reason: "deactivated" };
  if (!invitation) throw new Error(`eligibilityOf: the current invitation of pending person #${userId} is needed`);
  if (invitation.state !== "active") return { ok: false, userId, user, invitation, reason: invitation.state };
  return { ok: true, userId, user, invitation };
}
