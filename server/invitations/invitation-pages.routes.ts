import { Router } from "express";
import { anyStaff } from "../core/http/auth-middleware.js";
import { idParam } from "../core/http/params.js";
import type { User, UsersService } from "../people/index.js";
import type { InvitationsService } from "./invitations.service.js";

/** The invitation card on a person's profile (a section of the people feature's profile page). */
export function invitationProfileExtras(invitations: Pick<InvitationsService, "current">) {
  return async (user: User) => ({ invitation: await invitations.current(user.id) });
}

/** Front-desk actions on a person's invitation: show it as a QR code, regenerate, revoke. */
export function invitationPages(deps: {
  users: Pick<UsersService, "get">;
  invitations: Pick<InvitationsService, "current" | "rotatingSource" | "regenerate" | "revoke">;
  /** How often the page's code rotates (KIOSK_ROTATE_SECONDS). */
  rotateSeconds: number;
}): Router {
  const router = Router();
  const { users, invitations, rotateSeconds } = deps;

  router.get("/users/:id/invitation/qr", anyStaff, async (req, res, next) => {
    const id = idParam(req.params.id);
    if (!id) return next();
    const user = await users.get(id);
    const invitation = await invitations.current(id);
    res.setHeader("Cache-Control", "no-store");
    res.render("users/invitation-qr", {
      title: `Invitation for ${user.firstName} ${user.lastName}`,
      section: "/users",
      user,
      invitation,
      rotating: invitation.state === "active" && user.status === "pending",
      rotateSeconds,
    });
  });

  // The page's code rotates like a kiosk's (a photo of the screen is useless a minute later):
  // its script asks for the current one each window.
  router.get("/users/:id/invitation/rotating.json", anyStaff, async (req, res, next) => {
    const id = idParam(req.params.id);
    if (!id) return next();
    const source = await invitations.rotatingSource(id);
    res.setHeader("Cache-Control", "no-store");
    if (!source) return res.status(410).json({ error: "This invitation is no longer valid." });
    const now = Date.now();
    const code = source.code(rotateSeconds, now);
    res.json({ url: code.url, rotatesAt: code.rotatesAt, serverNow: now, rotateSeconds });
  });

  for (const action of ["regenerate", "revoke"] as const) {
    router.post(`/users/:id/invitation/${action}`, anyStaff, async (req, res, next) => {
      const id = idParam(req.params.id);
      if (!id) return next();
      await invitations[action](id, req.actor);
      res.redirect(303, `/users/${id}?done=invitation-${action === "regenerate" ? "regenerated" : "revoked"}`);
    });
  }
  return router;
}
