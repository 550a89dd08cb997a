import { Router } from "express";
import type { ApiKeyLookup } from "../core/auth/principals.js";
import { requireApiKey } from "../core/http/auth-middleware.js";
import { jsonObjectBody, pathId } from "../core/http/params.js";
import type { InvitationSender } from "./invitation-sender.js";

/**
 * `POST /users/:id/invitation/send {channel: "email"|"sms"}` (scope `invitations`): queues
 * the person's invitation and answers 202 with the outbox message, `{ id, channel, state }`.
 * 400 names `channel` when it is missing or unknown; 409 says why the channel cannot reach
 * the person (no email address, no phone or no consent, already joined, deactivated).
 *
 * It lives in notify, not invitations: sending goes through notify's outbox, and notify
 * depends on invitations, not the other way round.
 */
export function invitationSendApi(deps: { apiKeys: ApiKeyLookup; sender: Pick<InvitationSender, "send"> }): Router {
  const router = Router();
  router.post("/users/:id/invitation/send", requireApiKey(deps.apiKeys, "invitations"), async (req, res) => {
    const id = pathId(req, "id", "Person");
    const body = jsonObjectBody(req, ["channel"]);
    const delivery = await deps.sender.send(id, body.channel, req.actor);
    res.status(202).json({ id: delivery.id, channel: delivery.channel, state: delivery.state });
  });
  return router;
}
