import type { InvitationsService, InvitationView } from "../../server/invitations/index.js";
import type { User, UsersService } from "../../server/people/index.js";

/**
 * Whether a person can get a paper invitation now: `eligible` (pending, with a working
 * link), `unknown` (no such person: erased), `not-pending` (joined or deactivated) or
 * `dead-link` (pending, but the current link expired or was revoked: a letter would not work).
 */
export type Eligibility =
  | { state: "eligible"; user: User; invitation: InvitationView }
  | { state: "unknown" }
  | { state: "not-pending"; user: User }
  | { state: "dead-link"; user: User; invitation: InvitationView };

/** The check for many people at once (a few queries per 500), by id. */
export type EligibilityCheck = (userIds: number[]) => Promise<Map<number, Eligibility>>;

const CHUNK = 500;

/**
 * The one check of who may get a letter, used wherever print decides it: printing now,
 * queueing for tonight, planning the batch, sending a job and drawing a download. The
 * invitation read is the person's current one (made when they have none yet); printing
 * never makes a new link in place of a dead one.
 */
// TODO(lead): invitations' eligibility check — swap this for the one invitations owns (server/invitations/index.ts).
export function letterEligibility(deps: {
  users: Pick<UsersService, "getMany">;
  invitations: Pick<InvitationsService, "currentMany">;
}): EligibilityCheck {
  return async (userIds) => {
    const out = new Map<number, Eligibility>();
    for (let i = 0; i < userIds.length; i += CHUNK) {
      const chunk = userIds.slice(i, i + CHUNK);
      const users = await deps.users.getMany(chunk);
      const pending = chunk.filter((id) => users.get(id)?.status === "pending");
      const invitations = pending.length ? await deps.invitations.currentMany(pending) : new Map<number, InvitationView>();
      for (const id of chunk) {
        const user = users.get(id);
        const invitation = invitations.get(id);
        if (!user) out.set(id, { state: "unknown" });
        else if (user.status !== "pending" || !invitation) out.set(id, { state: "not-pending", user });
        else if (invitation.state !== "active") out.set(id, { state: "dead-link", user, invitation });
        else out.set(id, { state: "eligible", user, invitation });
      }
    }
    return out;
  };
}
