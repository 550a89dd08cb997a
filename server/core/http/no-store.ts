import type { NextFunction, Request, Response } from "express";

/**
 * Pages and API answers carry personal links, codes, enrolment links and people's details:
 * no browser, proxy or shared machine may keep a copy. Set for every dynamic answer (static
 * assets and the logo are served before this and keep their own caching); a route that
 * really wants caching sets its own header after.
 */
export function noStore(_req: Request, res: Response, next: NextFunction) {
  res.setHeader("Cache-Control", "no-store");
  next();
}
