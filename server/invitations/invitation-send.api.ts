import { Router } from "express";
import { requireApiKey } from "../core/http/auth-middleware.js";
import { jsonObjectBody, pathId } from "../core/http/params.js";
import type { Context } from "../station.js";

/**
 * `POST /users/:id/invitation/send {channel: "email"|"sms"}` (scope `invitations`): queues
 * the person's invitation and answers 202 with the outbox message, `{ id, channel, state }`.
 * 400 names `channel` when it is missing or unknown; 409 says why the channel cannot reach
 * the person (no email address, no phone or no consent, already joined, deactivated).
 */
export function invitationSendApi(ctx: Context): Router {
  const router = Router();
  router.post("/users/:id/invitation/send", requireApiKey(ctx.apiKeys, "invitations"), async (req, res) => {
    const id = pathId(req, "id", "Person");
    const body = jsonObjectBody(req, ["channel"]);
    const delivery = await ctx.notify.invitations.send(id, body.channel, req.actor);
    res.status(202).json({ id: delivery.id, channel: delivery.channel, state: delivery.state });
  });
  return router;
}
