import { type Request, type Response, Router } from "express";
import type { ApiKeyLookup } from "../core/auth/principals.js";
import { ConflictError } from "../core/errors.js";
import { requireApiKey } from "../core/http/auth-middleware.js";
import { jsonObjectBody, pathId } from "../core/http/params.js";
import { parseRedeem } from "./invitations.schema.js";
import { InvitationGoneError, type InvitationsService } from "./invitations.service.js";
import type { InvitationView } from "./invitations.types.js";

/**
 * What an integrator sees of an invitation: the link and the typed code to hand over, and
 * its state. Never the bare token, the nonce or the digests.
 */
const invitationJson = (v: InvitationView) => ({
  url: v.url,
  code: v.code,
  state: v.state,
  createdAt: v.createdAt,
  expiresAt: v.expiresAt,
});

/**
 * Invitations through the JSON API, admin side (scope `invitations`): show, regenerate and
 * revoke a person's invitation. All three answer 200 with the invitation: a person has
 * exactly one current invitation, so regenerating replaces it rather than creating a
 * separately addressable resource (201).
 */
export function invitationsApi(deps: {
  apiKeys: ApiKeyLookup;
  invitations: Pick<InvitationsService, "current" | "regenerate" | "revoke">;
}): Router {
  const router = Router();
  const { invitations } = deps;
  const auth = requireApiKey(deps.apiKeys, "invitations");

  router.get("/users/:id/invitation", auth, async (req, res) => {
    res.json(invitationJson(await invitations.current(pathId(req, "id", "Person"))));
  });

  router.post("/users/:id/invitation/regenerate", auth, async (req, res) => {
    res.json(invitationJson(await invitations.regenerate(pathId(req, "id", "Person"), req.actor)));
  });

  router.post("/users/:id/invitation/revoke", auth, async (req, res) => {
    const id = pathId(req, "id", "Person");
    // Every person has an invitation (made on first use), so revoking never finds "none":
    // this also answers 404 for an unknown person rather than "has no invitation".
    await invitations.current(id);
    // A used invitation stays "used": the answer's state says so.
    res.json(invitationJson(await invitations.revoke(id, req.actor)));
  });

  return router;
}

/**
 * The public side (no key): `POST /invitations/redeem`, which the app calls after scanning
 * a code or opening a link. It is rate-limited per client address by the service.
 */
export function invitationRedeemApi(invitations: Pick<InvitationsService, "redeem">): Router {
  const router = Router();

  router.post("/invitations/redeem", async (req, res) => {
    const body = jsonObjectBody(req, ["token", "channel"]);
    const { token, channel } = parseRedeem(body);
    const client = req.ip ?? req.socket.remoteAddress ?? "unknown";
    try {
      const { user, organization } = await invitations.redeem(token, channel, client);
      res.json({
        user: { id: user.id, firstName: user.firstName, lastName: user.lastName, language: user.language },
        organization: { name: organization.name },
      });
    } catch (err) {
      if (err instanceof InvitationGoneError) return sendGone(req, res, err);
      // The person was deactivated between the check and the join: to the public, the same
      // answer as a revoked link (the service's 409 names the person).
      if (err instanceof ConflictError) return sendGone(req, res, new InvitationGoneError("revoked"));
      throw err;
    }
  });

  return router;
}

/**
 * 410 as problem+json with the reason the app may show: expired, revoked or used. A
 * deactivated person's link answers exactly like a revoked one, so the answer reveals
 * nothing about the person.
 */
function sendGone(req: Request, res: Response, err: InvitationGoneError) {
  // A rotating code of an older window is, to the app, an expired one (scan again).
  const reason = err.reason === "deactivated" ? "revoked" : err.reason === "stale" ? "expired" : err.reason;
  res
    .status(410)
    .type("application/problem+json")
    .send(
      JSON.stringify({
        type: "about:blank",
        title: err.title,
        status: 410,
        detail: err.message,
        instance: req.originalUrl.split("?")[0],
        reason,
      }),
    );
}
