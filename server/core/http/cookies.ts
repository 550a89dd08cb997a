import type { Request, Response } from "express";

export function readCookie(req: Request, name: string): string | undefined {
  return cookieFrom(req.headers.cookie, name);
}

/** One cookie from a Cookie header; also for a Socket.IO handshake, which has no Express request. */
export function cookieFrom(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export type CookieOptions = { secure: boolean; maxAgeSeconds?: number; sameSite?: "Lax" | "Strict" };

/** httpOnly always; Secure when the service is reached over https. */
export function setCookie(res: Response, name: string, value: string, o: CookieOptions): void {
  const parts = [`${name}=${encodeURIComponent(value)}`, "Path=/", "HttpOnly", `SameSite=${o.sameSite ?? "Lax"}`];
  if (o.secure) parts.push("Secure");
  if (o.maxAgeSeconds !== undefined) parts.push(`Max-Age=${o.maxAgeSeconds}`);
  res.append("Set-Cookie", parts.join("; "));
}

export function clearCookie(res: Response, name: string, secure: boolean): void {
  setCookie(res, name, "", { secure, maxAgeSeconds: 0 });
}
