import { createHash, timingSafeEqual } from "node:crypto";
import { type Request, Router } from "express";
import type { AppMetrics } from "./metrics.service.js";

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Without METRICS_TOKEN only a scraper on this machine gets the figures: the peer is a
 * loopback address and the request did not come through a proxy (no X-Forwarded-For or
 * Forwarded), so a reverse proxy on the same machine does not open it to the network.
 */
function directFromLoopback(req: Request): boolean {
  const peer = req.socket.remoteAddress ?? "";
  const loopback = peer === "::1" || peer.startsWith("127.") || peer.startsWith("::ffff:127.");
  return loopback && !req.headers["x-forwarded-for"] && !req.headers.forwarded;
}

/** GET /metrics: the Prometheus text format, for a bearer of METRICS_TOKEN. */
export function metricsRoutes(metrics: AppMetrics, token: string | undefined): Router {
  const router = Router();
  const expected = token ? digest(token) : null;
  router.get("/metrics", async (req, res, next) => {
    const given = /^Bearer (.+)$/i.exec(req.get("authorization") ?? "")?.[1];
    const allowed = expected ? given !== undefined && timingSafeEqual(digest(given), expected) : directFromLoopback(req);
    if (!allowed) {
      if (expected) res.set("WWW-Authenticate", 'Bearer realm="metrics"');
      res
        .status(expected ? 401 : 403)
        .type("text/plain")
        .send(expected ? "A bearer token (METRICS_TOKEN) is required.\n" : "Set METRICS_TOKEN to scrape from another machine.\n");
      return;
    }
    try {
      const body = await metrics.text();
      res.set("Cache-Control", "no-store").type(metrics.contentType).send(body);
    } catch (err) {
      next(err);
    }
  });
  return router;
}
