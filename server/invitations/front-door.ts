import type { RequestHandler } from "express";
import type { InvitationsService } from "./invitations.service.js";

/** How long a known guesser's refusal is held back: a client keeping N requests in flight then gets N a second. */
const HOLD_MS = 1_000;
/** Refusals held at once; beyond, they are answered at once (a socket each is the cost of holding). */
const MAX_HELD = 2_000;

/**
 * Refuses a redeem from a client already known here to be over its guessing limit before
 * anything else runs (request log, headers, body parsing), and answers it a second later:
 * a flood of forged codes then costs the server next to nothing, and slows itself down.
 */
export function refuseKnownGuessers(invitations: Pick<InvitationsService, "refusalFromMemory">): RequestHandler {
  let held = 0;
  return (req, _res, next) => {
    if (req.method !== "POST" || req.path !== "/api/v1/invitations/redeem") return next();
    const refusal = invitations.refusalFromMemory(req.ip ?? req.socket.remoteAddress ?? "unknown");
    if (!refusal) return next();
    if (held >= MAX_HELD) return next(refusal);
    held++;
    setTimeout(() => {
      held--;
      next(refusal);
    }, HOLD_MS).unref();
  };
}
