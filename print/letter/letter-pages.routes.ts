import { Router } from "express";
import { anyStaff } from "../../server/core/http/auth-middleware.js";
import { idList, idParam } from "../../server/core/http/params.js";
import { displayName } from "./display-name.js";
import { announceDownload, fileSlug, type LetterHttpDeps, paperFor, sendGroupLetters, sendPdf } from "./letter-http.js";

/** At most this many letters from one selection of the people list (a page holds up to 200). */
const MAX_SELECTION = 1_000;

/**
 * Invitation letters as PDF downloads in the admin pages: a person's (profile), a
 * selection's (people list, POST with the CSRF token) and a group's pending members.
 */
export function letterPages(deps: LetterHttpDeps): Router {
  const router = Router();

  router.get("/users/:id/invitation.pdf", anyStaff, async (req, res, next) => {
    const id = idParam(req.params.id);
    if (!id) return next();
    const paper = await paperFor(deps, req.query.paper);
    const user = await deps.users.get(id);
    const pdf = await deps.letters.stream({ userIds: [id], paper });
    await announceDownload(deps, req.actor, { userIds: [id], paper });
    await sendPdf(res, pdf, `invitation-${id}-${fileSlug(displayName(user.firstName, user.lastName))}.pdf`);
  });

  // Selected people who have joined or were deactivated have no letter: they are left out.
  router.post("/users/invitations.pdf", anyStaff, async (req, res) => {
    const selected = idList(req.body?.ids).slice(0, MAX_SELECTION);
    const back = typeof req.body?.back === "string" && /^\/users(\?|$)/.test(req.body.back) ? req.body.back : "/users";
    const sep = back.includes("?") ? "&" : "?";
    if (!selected.length) return res.redirect(303, `${back}${sep}done=nothing-selected`);
    const people = await Promise.all(selected.map((id) => deps.users.get(id).catch(() => null)));
    const userIds = people.filter((u) => u?.status === "pending").map((u) => u?.id as number);
    if (!userIds.length) return res.redirect(303, `${back}${sep}done=letters-none-pending`);
    const paper = await paperFor(deps, req.body?.paper);
    const pdf = await deps.letters.stream({ userIds, paper });
    await announceDownload(deps, req.actor, { userIds, paper });
    await sendPdf(res, pdf, `invitations-${userIds.length}-people-${new Date().toISOString().slice(0, 10)}.pdf`);
  });

  router.get("/groups/:id/invitations.pdf", anyStaff, async (req, res, next) => {
    const id = idParam(req.params.id);
    if (!id) return next();
    await sendGroupLetters(deps, req.actor, res, id, req.query.paper);
  });

  return router;
}
