import type { InvitationsService, InvitationView } from "../../server/invitations/index.js";
import type { User } from "../../server/people/index.js";

/**
 * What print makes of invitations' verdict on a person (InvitationsService.eligibility, the
 * one rule): `eligible` (pending, with a working link), `unknown` (no such person: erased),
 * `not-pending` (joined or deactivated: they leave the job) or `dead-link` (pending, but the
 * current link expired, was revoked or used: a letter would not work).
 */
export type Eligibility =
  | { state: "eligible"; user: User; invitation: InvitationView }
  | { state: "unknown" }
  | { state: "not-pending"; user: User }
  | { state: "dead-link"; user: User; invitation: InvitationView };

/** The check for many people at once (a few queries per 500), by id. */
export type EligibilityCheck = (userIds: number[]) => Promise<Map<number, Eligibility>>;

/**
 * Used wherever print decides who gets a letter: printing now, queueing for tonight,
 * planning the batch, sending a job and drawing a download. Printing never makes a new link
 * in place of a dead one.
 */
export function letterEligibility(invitations: Pick<InvitationsService, "eligibility">): EligibilityCheck {
  return async (userIds) => {
    const out = new Map<number, Eligibility>();
    for (const [id, verdict] of await invitations.eligibility(userIds)) {
      if (verdict.ok) out.set(id, { state: "eligible", user: verdict.user, invitation: verdict.invitation });
      else if (verdict.reason === "unknown") out.set(id, { state: "unknown" });
      else if ("invitation" in verdict) out.set(id, { state: "dead-link", user: verdict.user, invitation: verdict.invitation });
      else out.set(id, { state: "not-pending", user: verdict.user });
    }
    return out;
  };
}
