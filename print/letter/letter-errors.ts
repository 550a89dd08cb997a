import { ConflictError, NotFoundError } from "../../server/core/errors.js";
import type { InvitationState } from "../../server/invitations/index.js";

/** A letter was asked for a person who does not exist (404). */
export class UnknownPersonError extends NotFoundError {
  constructor(readonly userId: number) {
    super(`Person #${userId} does not exist.`);
  }
}

/**
 * A letter only makes sense for someone who can still join (409): an active person has
 * joined already — nothing to print — and a deactivated one cannot join.
 */
export class NotPendingError extends ConflictError {
  constructor(
    readonly userId: number,
    readonly personStatus: "active" | "deactivated",
  ) {
    super(
      personStatus === "active"
        ? `Person #${userId} has already joined: there is no invitation to print.`
        : `Person #${userId} is deactivated and cannot join: reactivate them first.`,
      { type: "user", id: userId, field: "status" },
    );
  }
}

/**
 * The person's current invitation no longer works (expired or revoked) (409). The letter
 * never makes a new one on its own: that would silently stop a link the person may have.
 */
export class InvitationUnusableError extends ConflictError {
  constructor(
    readonly userId: number,
    readonly state: Exclude<InvitationState, "active">,
  ) {
    super(`The invitation of person #${userId} is ${state}: make a new one on their profile first.`, {
      type: "user",
      id: userId,
      field: "invitation",
    });
  }
}
