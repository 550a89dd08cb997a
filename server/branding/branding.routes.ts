import busboy from "busboy";
import { type Request, type Response, Router } from "express";
import { ValidationError } from "../core/errors.js";
import { adminOnly } from "../core/http/auth-middleware.js";
import { message } from "../core/message.js";
import { type BrandingService, LOGO_MAX_BYTES } from "./branding.service.js";

/** Draws the Settings page (where the logo form is) with `locals` over its stored values. */
export type SettingsPage = (res: Response, status: number, locals: Record<string, unknown>) => Promise<void>;

/** The logo for everyone (join page, kiosk, emails link to it): public, cached by version. */
export function brandingPublic(ctx: { branding: Pick<BrandingService, "logo"> }): Router {
  const router = Router();
  router.get("/branding/logo", async (req, res) => {
    const logo = await ctx.branding.logo();
    if (!logo) return res.status(404).type("text/plain").send("No logo has been uploaded.");
    const etag = `"logo-${logo.updatedAt}"`;
    res.setHeader("ETag", etag);
    res.setHeader("Cache-Control", "public, max-age=300");
    if (req.headers["if-none-match"] === etag) return res.status(304).end();
    res.type(logo.mime).send(logo.data);
  });
  return router;
}

/** Upload and removal of the logo, on the Settings page (admins only). */
export function brandingAdmin(ctx: {
  branding: Pick<BrandingService, "setLogo" | "removeLogo">;
  settingsPage: SettingsPage;
}): Router {
  const router = Router();
  router.post("/admin/settings/logo", adminOnly, async (req, res) => {
    try {
      await ctx.branding.setLogo(await readLogoUpload(req), req.actor);
      // The organization set-up has the same form; it stays on its page.
      res.redirect(303, req.query.back === "setup" ? "/admin/setup?done=logo-saved" : "/admin/settings?done=logo-saved");
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await ctx.settingsPage(res, 400, { errors: err.fieldsIn(req.t) });
    }
  });
  router.post("/admin/settings/logo/remove", adminOnly, async (req, res) => {
    await ctx.branding.removeLogo(req.actor);
    res.redirect(303, "/admin/settings?done=logo-removed");
  });
  return router;
}

/** The one file of the form, whole in memory (it is at most 1 MB; one byte more tells "too large"). */
function readLogoUpload(req: Request): Promise<Buffer> {
  const invalid = (key: string) => new ValidationError({ logo: message(key) });
  return new Promise((resolve, reject) => {
    if (!req.is("multipart/form-data")) return reject(invalid("errors:logo.choose"));
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: LOGO_MAX_BYTES + 1, fields: 5, parts: 10 } });
    } catch {
      return reject(invalid("errors:logo.choose"));
    }
    const chunks: Buffer[] = [];
    parser.on("file", (name, stream) => {
      if (name !== "logo") return stream.resume();
      stream.on("data", (c: Buffer) => chunks.push(c));
    });
    parser.on("close", () => resolve(Buffer.concat(chunks)));
    parser.on("error", () => {
      req.unpipe(parser);
      req.resume();
      reject(invalid("errors:logo.cutOff"));
    });
    req.pipe(parser);
  });
}
