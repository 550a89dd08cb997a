import { Router } from "express";
import type { ApiKeyLookup } from "../../server/core/auth/principals.js";
import { requireApiKey } from "../../server/core/http/auth-middleware.js";
import { pathId } from "../../server/core/http/params.js";
import { announceDownload, type LetterHttpDeps, paperFor, sendGroupLetters, sendPdf } from "./letter-http.js";

/**
 * Invitation letters through the JSON API (scope `invitations`), as PDF:
 * `GET /users/:id/invitation.pdf` (404 unknown, 409 not pending) and
 * `GET /groups/:id/invitations.pdf` (the group's pending members; 409 when there are none).
 * `?paper=A4|Letter`; the default follows the organization's country.
 */
export function lettersApi(deps: LetterHttpDeps & { apiKeys: ApiKeyLookup }): Router {
  const router = Router();
  const auth = requireApiKey(deps.apiKeys, "invitations");

  router.get("/users/:id/invitation.pdf", auth, async (req, res) => {
    const id = pathId(req, "id", "Person");
    const paper = await paperFor(deps, req.query.paper);
    const pdf = await deps.letters.stream({ userIds: [id], paper });
    await announceDownload(deps, req.actor, { userIds: [id], paper });
    await sendPdf(res, pdf, `invitation-${id}.pdf`);
  });

  router.get("/groups/:id/invitations.pdf", auth, async (req, res) => {
    const id = pathId(req, "id", "Group");
    await sendGroupLetters(deps, req.actor, res, id, req.query.paper);
  });

  return router;
}
