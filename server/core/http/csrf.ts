import { createHmac, timingSafeEqual } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import { ForbiddenError } from "../errors.js";
import { message } from "../message.js";
import { newSecret } from "../tokens.js";
import { readCookie, setCookie } from "./cookies.js";

const SEED_COOKIE = "icsrf";

/**
 * Signed double-submit CSRF protection: a random seed in an httpOnly cookie, and in every
 * form its HMAC under the secret key. A cross-site page can neither read the cookie nor
 * compute the HMAC. The seed is renewed at sign-in and sign-out.
 */
export function csrfProtection(secretKey: string, secureCookies: boolean) {
  const sign = (seed: string) => createHmac("sha256", secretKey).update(`csrf:${seed}`).digest("base64url");

  return function csrf(req: Request, res: Response, next: NextFunction) {
    let seed = readCookie(req, SEED_COOKIE);
    if (!seed || seed.length < 20) {
      seed = newSecret(24);
      setCookie(res, SEED_COOKIE, seed, { secure: secureCookies, sameSite: "Strict" });
    }
    const expected = sign(seed);
    res.locals.csrfToken = expected;
    res.locals.renewCsrf = () => {
      const fresh = newSecret(24);
      setCookie(res, SEED_COOKIE, fresh, { secure: secureCookies, sameSite: "Strict" });
      res.locals.csrfToken = sign(fresh);
    };
    res.locals.verifyCsrf = (given: unknown) => {
      if (typeof given !== "string" || given.length !== expected.length) return false;
      return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
    };
    if (["GET", "HEAD", "OPTIONS"].includes(req.method)) return next();
    // A multipart body is streamed by its route, so its form carries the token in the action URL.
    const given =
      req.get("x-csrf-token") ??
      (req.is("multipart/form-data") ? req.query._csrf : (req.body as Record<string, unknown> | undefined)?._csrf);
    if (!res.locals.verifyCsrf(given)) {
      return next(new ForbiddenError(message("errors:formExpired")));
    }
    next();
  };
}
