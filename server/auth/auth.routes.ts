import { type Request, type Response, Router } from "express";
import type { Config } from "../core/config.js";
import { AppError, RateLimitedError, UnauthorizedError, ValidationError } from "../core/errors.js";
import { type EventBus, says } from "../core/events.js";
import { SESSION_COOKIE } from "../core/http/auth-middleware.js";
import { clearCookie, readCookie, setCookie } from "../core/http/cookies.js";
import { message } from "../core/message.js";
import type { SettingsService } from "../settings/index.js";
import type { AdminsService } from "./admins.service.js";
import type { SessionStore } from "./sessions.service.js";

/** Only same-site paths are followed after sign-in, never another host. */
const safeNext = (next: unknown): string =>
  typeof next === "string" && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/";

const withNotice = (path: string, code: string): string => `${path}${path.includes("?") ? "&" : "?"}done=${code}`;

export type AuthRoutesDeps = {
  config: Pick<Config, "secureCookies">;
  events: EventBus;
  admins: AdminsService;
  sessions: SessionStore;
  settings: Pick<SettingsService, "missingSetup">;
};

/** Sign-in and sign-out, and the first-run link that creates the first admin. */
export function authRoutes(deps: AuthRoutesDeps): Router {
  const router = Router();
  const secure = deps.config.secureCookies;

  const startSession = async (req: Request, res: Response, adminId: number) => {
    const sid = await deps.sessions.create(adminId, req.ip ?? null, req.get("user-agent") ?? null);
    setCookie(res, SESSION_COOKIE, sid, { secure });
    res.locals.renewCsrf();
  };

  // An admin signing in before the organization set-up is done goes there first.
  const afterSignIn = async (role: string, next: string) =>
    role === "admin" && (await deps.settings.missingSetup()).length ? "/admin/setup" : next;

  router.get("/", (req, res) => res.redirect(req.admin ? "/dashboard" : "/login"));

  router.get("/login", async (req, res) => {
    if (req.admin) return res.redirect(safeNext(req.query.next));
    const needsSetup = !(await deps.admins.hasAny());
    res.render("auth/login", {
      title: req.t("auth:login.title"),
      values: {},
      error: null,
      next: safeNext(req.query.next),
      needsSetup,
    });
  });

  router.post("/login", async (req, res) => {
    const email = String(req.body?.email ?? "").slice(0, 191);
    const password = String(req.body?.password ?? "").slice(0, 200);
    const next = safeNext(req.body?.next);
    try {
      if (!email.trim() || !password) throw new ValidationError({ email: req.t("auth:login.missing") });
      const admin = await deps.admins.authenticate(email, password, req.ip ?? "unknown");
      await startSession(req, res, admin.id);
      await deps.events.emit("admin.signed_in", {
        actor: { type: "admin", id: String(admin.id), label: admin.email, ip: req.ip ?? null },
        ...(admin.failedSince ? says("signedInAfterFailures", { n: admin.failedSince }) : says("signedIn")),
        target: { type: "admin", id: admin.id },
      });
      // The admin is told of wrong passwords tried meanwhile, wherever they came from.
      const after = await afterSignIn(admin.role, next);
      res.redirect(303, admin.failedSince ? withNotice(after === "/" ? "/dashboard" : after, "sign-in-failures") : after);
    } catch (err) {
      if (!(err instanceof UnauthorizedError || err instanceof RateLimitedError || err instanceof ValidationError)) throw err;
      if (err instanceof RateLimitedError) res.setHeader("Retry-After", String(err.retryAfterSeconds));
      const error = err instanceof ValidationError ? Object.values(err.fieldsIn(req.t))[0] : err.messageIn(req.t);
      res
        .status(err.status)
        .render("auth/login", { title: req.t("auth:login.title"), values: { email }, error, next, needsSetup: false });
    }
  });

  router.post("/logout", async (req, res) => {
    const sid = readCookie(req, SESSION_COOKIE);
    if (sid) await deps.sessions.destroy(sid);
    if (req.admin)
      await deps.events.emit("admin.signed_out", {
        actor: req.actor,
        ...says("signedOut"),
        target: { type: "admin", id: req.admin.id },
      });
    clearCookie(res, SESSION_COOKIE, secure);
    res.locals.renewCsrf();
    res.redirect(303, "/login");
  });

  router.get("/setup/:token", async (req, res) => {
    const valid = await deps.admins.isSetupTokenValid(req.params.token);
    res.status(valid ? 200 : 410).render("auth/setup", {
      title: req.t("titles:setUpInviteStation"),
      valid,
      values: {},
      errors: {},
      token: req.params.token,
    });
  });

  router.post("/setup/:token", async (req, res) => {
    const values = { email: String(req.body?.email ?? ""), name: String(req.body?.name ?? "") };
    try {
      if (req.body?.password !== req.body?.passwordConfirm) {
        throw new ValidationError({
          passwordConfirm: message("validation:passwordConfirm"),
        });
      }
      const admin = await deps.admins.completeSetup(
        req.params.token,
        { ...values, password: String(req.body?.password ?? "") },
        req.ip ?? null,
      );
      await startSession(req, res, admin.id);
      res.redirect(303, await afterSignIn(admin.role, "/users?welcome=1"));
    } catch (err) {
      if (err instanceof ValidationError) {
        return res.status(400).render("auth/setup", {
          title: req.t("titles:setUpInviteStation"),
          valid: true,
          values,
          errors: err.fieldsIn(req.t),
          token: req.params.token,
        });
      }
      if (err instanceof AppError && err.status === 409) {
        return res.status(410).render("auth/setup", {
          title: req.t("titles:setUpInviteStation"),
          valid: false,
          values,
          errors: {},
          token: req.params.token,
        });
      }
      throw err;
    }
  });

  return router;
}
