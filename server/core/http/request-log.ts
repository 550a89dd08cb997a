import { randomUUID } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import { type Logger, redactUrl } from "../log.js";

declare module "express-serve-static-core" {
  interface Request {
    /** The request id: from `X-Request-Id` when it is sane, else made here. */
    id: string;
    /** The app's logger with the request id bound (made on first use). */
    log: Logger;
  }
}

/**
 * A request id for every request (the caller's `X-Request-Id` when it is sane, else a new
 * one, answered in the same header), `req.log` carrying it, and one line per answered
 * request: method, URL with its secrets redacted, status and time. Nothing is serialized
 * for a request unless a line is written (pino-http made and serialized a child logger
 * for each: 8% of a busy redeem endpoint's CPU).
 */
export function requestLog(log: Logger, unlogged: (req: Request) => boolean) {
  return (req: Request, res: Response, next: NextFunction) => {
    const given = req.headers["x-request-id"];
    const id = typeof given === "string" && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
    req.id = id;
    res.setHeader("X-Request-Id", id);
    let child: Logger | undefined;
    Object.defineProperty(req, "log", {
      get: () => {
        child ??= log.child({ reqId: id });
        return child;
      },
      configurable: true,
    });
    if (log.isLevelEnabled("info") && !unlogged(req)) {
      const start = performance.now();
      const line = (msg: string) =>
        log.info(
          {
            req: { id, method: req.method, url: redactUrl(req.originalUrl) },
            res: { statusCode: res.statusCode },
            responseTime: Math.round(performance.now() - start),
          },
          msg,
        );
      res.once("close", () => line(res.writableFinished ? "request completed" : "request aborted"));
    }
    next();
  };
}
