import { Router } from "express";
import type { Context } from "../context.js";

/** /healthz: the process answers. /readyz: it can reach its database. */
export function healthRoutes(ctx: Context): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/readyz", async (_req, res) => {
    try {
      await Promise.race([
        ctx.db.raw("select 1"),
        new Promise((_, reject) => setTimeout(() => reject(new Error("database check timed out")), 2_000).unref()),
      ]);
      res.json({ status: "ready", database: "ok" });
    } catch (err) {
      res.status(503).json({ status: "unavailable", database: (err as Error).message });
    }
  });
  return router;
}
