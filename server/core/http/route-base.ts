import type { RequestHandler } from "express";

/**
 * Marks where a router is mounted (Express resets req.baseUrl once the router is left, before
 * the answer finishes), so request metrics label its routes with their full pattern.
 */
export function routeBase(): RequestHandler {
  return (req, res, next) => {
    res.locals.metricsRouteBase = req.baseUrl;
    next();
  };
}
