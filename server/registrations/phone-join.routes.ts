import { type NextFunction, type Request, type Response, Router } from "express";
import { RateLimitedError, ValidationError } from "../core/errors.js";
import type { Actor } from "../core/events.js";
import { pickLanguage, translator } from "../core/i18n/index.js";
import type { Settings, SettingsService } from "../settings/index.js";
import type { PhoneMatchService } from "./phone-match.service.js";
import type { PhoneOtpService } from "./phone-otp.service.js";

/** The join site's public actor: nobody signed in, only the client address. */
const selfService = (req: Request): Actor => ({
  type: "system",
  id: null,
  label: "phone join (self-service)",
  ip: req.ip ?? null,
});
const clientOf = (req: Request) => req.ip ?? "unknown";

/**
 * The self-service phone join on the join site: `GET /join/phone` asks for the number,
 * `POST /join/phone` texts a one-time code (when the number matches exactly one pending
 * person with consent; the answer is the same either way), `POST /join/phone/verify`
 * joins that person with the code and shows the welcome page.
 */
export function phoneJoinPages(deps: {
  settings: Pick<SettingsService, "get">;
  matching: Pick<PhoneMatchService, "normalize">;
  otp: Pick<PhoneOtpService, "request" | "verify">;
}): Router {
  const router = Router();
  const { matching, otp } = deps;

  router.use("/join/phone", (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("X-Robots-Tag", "noindex, nofollow");
    next();
  });

  router.get("/join/phone", async (req, res) => {
    const settings = await deps.settings.get();
    res.render("join/phone", { ...locals(settings, langOf(req, settings)), phone: "", error: null });
  });

  router.post("/join/phone", async (req, res) => {
    const settings = await deps.settings.get();
    const lang = langOf(req, settings);
    const typed = field(req, "phone");
    let e164: string;
    try {
      e164 = await matching.normalize(typed);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return res.status(400).render("join/phone", {
        ...locals(settings, lang),
        phone: typed.slice(0, 40),
        error: translator(lang)("phoneJoin:invalidPhone"),
      });
    }
    try {
      await otp.request(e164, clientOf(req), selfService(req));
    } catch (err) {
      return limited(req, res, settings, lang, err);
    }
    res.render("join/phone-code", { ...locals(settings, lang), phone: e164, error: null });
  });

  router.post("/join/phone/verify", async (req, res) => {
    const settings = await deps.settings.get();
    const lang = langOf(req, settings);
    const typed = field(req, "phone");
    const code = field(req, "code").replace(/\s+/g, "");
    let e164: string;
    try {
      e164 = await matching.normalize(typed);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return res.redirect(303, `/join/phone?lang=${lang}`);
    }
    let outcome: Awaited<ReturnType<PhoneOtpService["verify"]>>;
    try {
      outcome = await otp.verify(e164, code, clientOf(req), selfService(req));
    } catch (err) {
      return limited(req, res, settings, lang, err);
    }
    if (!outcome.ok) {
      return res
        .status(400)
        .render("join/phone-code", { ...locals(settings, lang), phone: e164, error: translator(lang)("phoneJoin:wrongCode") });
    }
    const personLang = pickLanguage(outcome.user.language, lang);
    res.render("join/joined", {
      ...locals(settings, personLang),
      firstName: outcome.user.firstName,
      appLink: settings.appScheme ? `${settings.appScheme}://` : null,
    });
  });

  // A reload of the verify address lands on the form, not on an error.
  router.get("/join/phone/verify", (req, res) => {
    res.redirect(303, `/join/phone?lang=${langOf(req, null)}`);
  });

  return router;
}

function field(req: Request, name: string): string {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === "string" ? value : "";
}

/** The form's language (kept in a hidden field), else `?lang=`, else the browser's, else the organization's. */
function langOf(req: Request, settings: Settings | null): string {
  const chosen = (req.body as Record<string, unknown> | undefined)?.lang ?? req.query.lang;
  return pickLanguage(
    typeof chosen === "string" ? chosen : null,
    { acceptLanguage: req.get("accept-language") },
    settings?.defaultLanguage,
  );
}

function limited(_req: Request, res: Response, settings: Settings, lang: string, err: unknown) {
  if (!(err instanceof RateLimitedError)) throw err;
  res.setHeader("Retry-After", String(err.retryAfterSeconds));
  res.status(429).render("join/invalid", {
    ...locals(settings, lang),
    kind: "limited",
    retryMinutes: Math.ceil(err.retryAfterSeconds / 60),
  });
}

/** What the join layout needs (as join.routes.ts gives it), plus the phone join's words. */
function locals(settings: Settings, lang: string) {
  const org = settings.organizationName;
  const monogram = ([...org.trim()][0] ?? "?").toLocaleUpperCase(lang);
  return {
    t: translator(lang),
    lang,
    org,
    monogram,
    favicon: "/assets/favicon.svg",
    appName: settings.appName,
    appStoreUrl: settings.appStoreUrl,
    playStoreUrl: settings.playStoreUrl,
    frontDeskContact: settings.frontDeskContact,
  };
}
