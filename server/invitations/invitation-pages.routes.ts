import { Router } from "express";
import QRCode from "qrcode";
import { anyStaff } from "../core/http/auth-middleware.js";
import { idParam } from "../core/http/params.js";
import type { User } from "../people/index.js";
import type { Context } from "../station.js";

/** The personal link as a QR code in SVG: vector, error correction M, with its quiet zone. */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: "svg", errorCorrectionLevel: "M", margin: 4 });
}

/** The invitation card on a person's profile (passed to userPages by the app). */
export function invitationProfileExtras(ctx: Context) {
  return async (user: User) => ({ invitation: await ctx.invitations.current(user.id) });
}

/** Front-desk actions on a person's invitation: show it as a QR code, regenerate, revoke. */
export function invitationPages(ctx: Context): Router {
  const router = Router();

  router.get("/users/:id/invitation/qr", anyStaff, async (req, res, next) => {
    const id = idParam(req.params.id);
    if (!id) return next();
    const user = await ctx.users.get(id);
    const invitation = await ctx.invitations.current(id);
    res.setHeader("Cache-Control", "no-store");
    res.render("users/invitation-qr", {
      title: `Invitation for ${user.firstName} ${user.lastName}`,
      section: "/users",
      user,
      invitation,
      rotating: invitation.state === "active" && user.status === "pending",
      rotateSeconds: ctx.config.kioskRotateSeconds,
    });
  });

  // The page's code rotates like a kiosk's (a photo of the screen is useless a minute later):
  // its script asks for the current one each window.
  router.get("/users/:id/invitation/rotating.json", anyStaff, async (req, res, next) => {
    const id = idParam(req.params.id);
    if (!id) return next();
    const source = await ctx.invitations.rotatingSource(id);
    res.setHeader("Cache-Control", "no-store");
    if (!source) return res.status(410).json({ error: "This invitation is no longer valid." });
    const now = Date.now();
    const code = source.code(ctx.config.kioskRotateSeconds, now);
    res.json({ url: code.url, rotatesAt: code.rotatesAt, serverNow: now, rotateSeconds: ctx.config.kioskRotateSeconds });
  });

  for (const action of ["regenerate", "revoke"] as const) {
    router.post(`/users/:id/invitation/${action}`, anyStaff, async (req, res, next) => {
      const id = idParam(req.params.id);
      if (!id) return next();
      await ctx.invitations[action](id, req.actor);
      res.redirect(303, `/users/${id}?done=invitation-${action === "regenerate" ? "regenerated" : "revoked"}`);
    });
  }
  return router;
}
