import { Router } from "express";
import { requireApiKey } from "../../server/core/http/auth-middleware.js";
import { pathId } from "../../server/core/http/params.js";
import type { Context } from "../../server/station.js";
import { announceDownload, paperFor, sendGroupLetters, sendPdf } from "./letter-http.js";

/**
 * Invitation letters through the JSON API (scope `invitations`), as PDF:
 * `GET /users/:id/invitation.pdf` (404 unknown, 409 not pending) and
 * `GET /groups/:id/invitations.pdf` (the group's pending members; 409 when there are none).
 * `?paper=A4|Letter`; the default follows the organization's country.
 */
export function lettersApi(ctx: Context): Router {
  const router = Router();
  const auth = requireApiKey(ctx.apiKeys, "invitations");

  router.get("/users/:id/invitation.pdf", auth, async (req, res) => {
    const id = pathId(req, "id", "Person");
    const paper = await paperFor(ctx, req.query.paper);
    const pdf = await ctx.letters.stream({ userIds: [id], paper });
    await announceDownload(ctx, req.actor, { userIds: [id], paper });
    await sendPdf(res, pdf, `invitation-${id}.pdf`);
  });

  router.get("/groups/:id/invitations.pdf", auth, async (req, res) => {
    const id = pathId(req, "id", "Group");
    await sendGroupLetters(ctx, req.actor, res, id, req.query.paper);
  });

  return router;
}
