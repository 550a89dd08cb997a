import type { NextFunction, Request, Response } from "express";
import type { Admin, ApiKey, ApiKeyLookup, Role, Scope, SessionLookup } from "../auth/principals.js";
import { ForbiddenError, UnauthorizedError } from "../errors.js";
import type { Actor } from "../events.js";
import { message } from "../message.js";
import { readCookie } from "./cookies.js";

export const SESSION_COOKIE = "isid";

declare global {
  namespace Express {
    interface Request {
      admin?: Admin;
      apiKey?: ApiKey;
      actor: Actor;
    }
  }
}

/** Loads the signed-in admin, if any, for every page request. */
export function loadSession(sessions: SessionLookup) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const sid = readCookie(req, SESSION_COOKIE);
    if (sid) {
      const session = await sessions.load(sid);
      if (session) req.admin = session.admin;
    }
    req.actor = req.admin
      ? { type: "admin", id: String(req.admin.id), label: req.admin.email, ip: req.ip ?? null }
      : { type: "admin", id: null, label: "anonymous", ip: req.ip ?? null };
    res.locals.admin = req.admin ?? null;
    next();
  };
}

/** Pages: sign in first (back to where you were going), then the role must allow it. */
export function requireRole(...roles: Role[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.admin) {
      if (req.method === "GET") return res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
      return next(new UnauthorizedError(message("errors:sessionEnded")));
    }
    if (!roles.includes(req.admin.role)) return next(new ForbiddenError(message("errors:adminsOnly")));
    next();
  };
}

export const anyStaff = requireRole("admin", "frontdesk");
export const adminOnly = requireRole("admin");

/**
 * API: `Authorization: Bearer <key>` with every scope the route needs. A route that can put a
 * person's working code on paper or a screen (printing, kiosks) needs `invitations` besides
 * its own scope: only `invitations` yields codes.
 */
export function requireApiKey(keys: ApiKeyLookup, ...scopes: [Scope, ...Scope[]]) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.get("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const key = match ? await keys.authenticate(match[1] as string) : undefined;
    if (!key) return next(new UnauthorizedError("A valid API key is required: Authorization: Bearer <key>."));
    const missing = scopes.filter((s) => !key.scopes.includes(s));
    if (missing.length) {
      const what = missing.map((s) => `"${s}"`).join(" and ");
      return next(
        new ForbiddenError(
          `This API key lacks the scope ${what}${scopes.length > 1 ? ` (this needs ${scopes.join(" + ")})` : ""}.`,
        ),
      );
    }
    req.apiKey = key;
    req.actor = { type: "apikey", id: String(key.id), label: `API key ${key.name} (${key.prefix})`, ip: req.ip ?? null };
    next();
  };
}
