import path from "node:path";
import express, { type NextFunction, type Request, type Response, Router } from "express";
import type { Config } from "../server/core/config.js";
import { clearCookie, readCookie, setCookie } from "../server/core/http/cookies.js";
import { translator } from "../server/core/i18n/index.js";
import { PROJECT_ROOT } from "../server/core/root.js";
import type { Settings } from "../server/settings/index.js";
import { screenStrings } from "./kiosk.i18n.js";
import { DEVICE_COOKIE, PAIRING_COOKIE } from "./kiosk-live.js";
import type { KiosksService } from "./kiosks.service.js";

const root = PROJECT_ROOT;
// Browsers cap cookie lifetimes at 400 days; the page renews it on every load.
const DEVICE_COOKIE_SECONDS = 400 * 24 * 60 * 60;

/**
 * The lobby screen: `/kiosk` shows the display when the screen is paired, and otherwise a
 * pairing code to type on the Kiosks page. `/kiosk/enroll/<token>` pairs it by link.
 */
export function kioskScreenPages(ctx: { kiosks: KiosksService; config: Pick<Config, "secureCookies" | "publicUrl"> }): Router {
  const router = Router();
  const secure = ctx.config.secureCookies;
  router.use("/kiosk/assets", express.static(path.join(root, "kiosk/public"), { maxAge: "1h", index: false }));
  // The QR encoder the screen and the admin QR page draw codes with (MIT, no dependencies).
  router.get("/assets/vendor/uqr.mjs", (_req, res) => {
    res.type("text/javascript").sendFile(path.join(root, "node_modules/uqr/dist/index.mjs"), { maxAge: "1d" });
  });

  router.use("/kiosk", (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("Referrer-Policy", "no-referrer");
    res.setHeader("X-Robots-Tag", "noindex, nofollow");
    next();
  });

  router.get("/kiosk", async (req, res) => {
    const credential = readCookie(req, DEVICE_COOKIE);
    const kiosk = credential ? await ctx.kiosks.authenticate(credential) : undefined;
    if (kiosk && credential) {
      setCookie(res, DEVICE_COOKIE, credential, { secure, maxAgeSeconds: DEVICE_COOKIE_SECONDS, sameSite: "Strict" });
      return res.render("kiosk/display", {
        lang: kiosk.language,
        t: translator(kiosk.language),
        kiosk,
        strings: screenStrings(kiosk.language),
      });
    }
    if (credential) clearCookie(res, DEVICE_COOKIE, secure);
    const secret = readCookie(req, PAIRING_COOKIE);
    if (secret) {
      const claimed = await ctx.kiosks.claimPairing(secret);
      if (claimed) {
        clearCookie(res, PAIRING_COOKIE, secure);
        setCookie(res, DEVICE_COOKIE, claimed.credential, { secure, maxAgeSeconds: DEVICE_COOKIE_SECONDS, sameSite: "Strict" });
        return res.redirect(303, "/kiosk");
      }
      const open = await ctx.kiosks.pairing(secret);
      if (open) return renderPairing(res, open.code, open.expiresAt);
    }
    const fresh = await ctx.kiosks.startPairing(req.ip ?? "unknown");
    setCookie(res, PAIRING_COOKIE, fresh.secret, { secure, maxAgeSeconds: 20 * 60, sameSite: "Strict" });
    renderPairing(res, fresh.code, fresh.expiresAt);
  });

  // Before a screen is paired it has no kiosk, hence no language of its own: the organization's.
  const orgLanguage = (res: Response) => (res.locals.settings as Settings).defaultLanguage;

  function renderPairing(res: Response, code: string, expiresAt: number) {
    res.render("kiosk/pairing", {
      lang: orgLanguage(res),
      t: translator(orgLanguage(res)),
      code: `${code.slice(0, 3)} ${code.slice(3)}`,
      expiresAt,
      kiosksUrl: `${ctx.config.publicUrl}/kiosks`,
    });
  }

  router.get("/kiosk/enroll/:token", async (req, res) => {
    const kiosk = await ctx.kiosks.enrollTarget(req.params.token);
    const lang = kiosk?.language ?? orgLanguage(res);
    res.status(kiosk ? 200 : 404).render("kiosk/enroll", { lang, t: translator(lang), kiosk, token: req.params.token });
  });

  router.post("/kiosk/enroll/:token", async (req, res) => {
    const enrolled = await ctx.kiosks.enroll(req.params.token, req.ip ?? "unknown");
    if (!enrolled) {
      const lang = orgLanguage(res);
      return res.status(404).render("kiosk/enroll", { lang, t: translator(lang), kiosk: null, token: "" });
    }
    clearCookie(res, PAIRING_COOKIE, secure);
    setCookie(res, DEVICE_COOKIE, enrolled.credential, { secure, maxAgeSeconds: DEVICE_COOKIE_SECONDS, sameSite: "Strict" });
    res.redirect(303, "/kiosk");
  });

  return router;
}
