import { type NextFunction, type Request, type Response, Router } from "express";
import { ConflictError, NotFoundError, RateLimitedError } from "../core/errors.js";
import { pickLanguage, toLanguage, translator } from "../core/i18n/index.js";
import type { Settings, SettingsService } from "../settings/index.js";
import { InvitationGoneError, type InvitationsService } from "./invitations.service.js";

/** Why a link does not work, as the person is told. A deactivated person reads "unknown". */
export type JoinFailure = "unknown" | "expired" | "revoked" | "used" | "limited" | "stale";

/**
 * The pages an employee sees on their phone after opening their personal link. Opening
 * the link never joins (link previews in chat apps open it too): it is recorded as
 * "opened", and the page hands the invitation to the app (a link carrying the token, the
 * stores, the typed code); the person joins when the app redeems it through the API.
 * Only where the organization chose "join on the web" does the page's Join button (a POST
 * protected by the page's CSRF token) use the invitation here.
 */
export function joinPages(deps: {
  settings: Pick<SettingsService, "get">;
  invitations: Pick<InvitationsService, "inspect" | "recordOpened" | "redeem">;
}): Router {
  const router = Router();
  const { invitations } = deps;

  // The token is in the URL: nothing may keep the page, pass the address on, or index it.
  router.use("/i", (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("Referrer-Policy", "no-referrer");
    res.setHeader("X-Robots-Tag", "noindex, nofollow");
    next();
  });

  router.get("/i/:token", async (req, res) => {
    const settings = await deps.settings.get();
    try {
      const { invitation, user, via, joinToken } = await invitations.inspect(req.params.token, clientOf(req));
      await invitations.recordOpened(invitation.id, user.id, clientOf(req));
      const lang = pickLanguage(user.language, { acceptLanguage: req.get("accept-language") }, settings.defaultLanguage);
      const appLink = appJoinLink(settings, joinToken);
      if (settings.joinOnWeb) {
        return res.render("join/join", {
          ...pageLocals(settings, lang),
          firstName: user.firstName,
          joinAction: `/i/${encodeURIComponent(joinToken)}/join`,
          deepLink: appLink,
        });
      }
      res.render("join/handoff", {
        ...pageLocals(settings, lang),
        firstName: user.firstName,
        appLink,
        // A page opened from a screen's rotating code shows no personal code (a photo of the
        // screen must not outlive the rotation): the link above carries a short-lived one.
        code: via === "kiosk" ? null : invitation.code,
      });
    } catch (err) {
      renderFailure(req, res, settings, err, null);
    }
  });

  router.post("/i/:token/join", async (req, res) => {
    const settings = await deps.settings.get();
    // The app joins, not this page: a Join form from before the setting changed leads back to the hand-off.
    if (!settings.joinOnWeb) return res.redirect(303, `/i/${encodeURIComponent(req.params.token)}`);
    // The language the join page was shown in, so that a failure answers in it too.
    const shownIn = (req.body as Record<string, unknown> | undefined)?.lang;
    try {
      const { user, organization } = await invitations.redeem(req.params.token, "link", clientOf(req));
      const lang = pickLanguage(user.language, { acceptLanguage: req.get("accept-language") }, settings.defaultLanguage);
      res.render("join/joined", {
        ...pageLocals({ ...settings, organizationName: organization.name }, lang),
        firstName: user.firstName,
        // The invitation is used now: the app only needs opening.
        appLink: settings.appScheme ? `${settings.appScheme}://` : null,
      });
    } catch (err) {
      renderFailure(req, res, settings, err, toLanguage(typeof shownIn === "string" ? shownIn : null));
    }
  });

  // A reload or a shared copy of the join address lands on the page, not on an error.
  router.get("/i/:token/join", (req, res) => {
    res.redirect(303, `/i/${encodeURIComponent(req.params.token)}`);
  });

  return router;
}

const clientOf = (req: Request) => req.ip ?? "unknown";

/** The link that opens the app with the invitation: the https app link when set, else the scheme. */
export function appJoinLink(settings: Settings, token: string): string | null {
  const t = encodeURIComponent(token);
  if (settings.appJoinUrl) return `${settings.appJoinUrl}${settings.appJoinUrl.includes("?") ? "&" : "?"}token=${t}`;
  return settings.appScheme ? `${settings.appScheme}://join?token=${t}` : null;
}

/** What every join page shows: the organization, its app, and where to get help. */
export function pageLocals(settings: Settings, lang: string) {
  const org = settings.organizationName;
  const monogram = ([...org.trim()][0] ?? "?").toLocaleUpperCase(lang);
  return {
    t: translator(lang),
    lang,
    org,
    monogram,
    favicon: monogramIcon(monogram),
    appName: settings.appName,
    appStoreUrl: settings.appStoreUrl,
    playStoreUrl: settings.playStoreUrl,
    frontDeskContact: settings.frontDeskContact,
  };
}

/**
 * Unknown, dead and rate-limited links get one friendly page each, in the language the
 * person was shown (or their browser's). It names nobody, and a deactivated person's
 * link reads exactly like an unknown one.
 */
function renderFailure(req: Request, res: Response, settings: Settings, err: unknown, shownIn: string | null): void {
  const failure = classify(err);
  if (!failure) throw err;
  if (failure.retryAfterSeconds) res.setHeader("Retry-After", String(failure.retryAfterSeconds));
  const lang = pickLanguage(shownIn, { acceptLanguage: req.get("accept-language") }, settings.defaultLanguage);
  res.status(failure.status).render("join/invalid", {
    ...pageLocals(settings, lang),
    kind: failure.kind,
    retryMinutes: failure.retryAfterSeconds ? Math.ceil(failure.retryAfterSeconds / 60) : null,
  });
}

function classify(err: unknown): { status: number; kind: JoinFailure; retryAfterSeconds?: number } | null {
  if (err instanceof RateLimitedError) return { status: 429, kind: "limited", retryAfterSeconds: err.retryAfterSeconds };
  if (err instanceof NotFoundError) return { status: 404, kind: "unknown" };
  if (err instanceof InvitationGoneError) return { status: 410, kind: err.reason === "deactivated" ? "unknown" : err.reason };
  // Deactivated between looking the link up and joining.
  if (err instanceof ConflictError) return { status: 410, kind: "unknown" };
  return null;
}

/** The organization's initial as the tab icon (a data: URL, which the CSP allows for images). */
function monogramIcon(letter: string): string {
  const safe = letter.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#0f6b5c"/><text x="16" y="22" font-family="system-ui,Arial,sans-serif" font-weight="700" font-size="17" text-anchor="middle" fill="#fff">${safe}</text></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}
