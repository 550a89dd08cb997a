import { Router } from "express";
import type { Context } from "../context.js";
import * as figures from "../metrics/figures.repo.js";

type Check = { status: "ok" | "warn" | "fail"; [detail: string]: unknown };

const CHECK_MS = 2_000;
/** A queued message due this long ago means the outbox workers are behind (or none runs). */
const OUTBOX_LATE_MS = 5 * 60_000;

function within<T>(p: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} check timed out`)), CHECK_MS).unref()),
  ]);
}

const failed = (err: unknown): Check => ({ status: "fail", error: (err as Error).message || String(err) });

/**
 * /healthz: the process answers (PM2 / a liveness probe). /readyz: this instance can serve
 * (a load balancer's probe): 503 when the database or Redis (when set) fails. The outbox
 * backlog and the job leases are shared by every instance, so they only warn: taking every
 * instance out of the pool for them would not help.
 */
export function healthRoutes(ctx: Context): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/readyz", async (_req, res) => {
    const now = Date.now();
    const [database, redis, outbox, jobs] = await Promise.all([
      within(ctx.db.raw("select 1"), "database").then((): Check => ({ status: "ok" }), failed),
      within(ctx.live.pingRedis(), "redis").then((r): Check | null => (r ? { status: "ok" } : null), failed),
      within(figures.outboxOverdue(ctx.db, now - OUTBOX_LATE_MS), "outbox").then(
        (late): Check => ({ status: late > 0 ? "warn" : "ok", overdue: late }),
        failed,
      ),
      within(Promise.all([figures.heldLeases(ctx.db, now), figures.abandonedLeases(ctx.db, now)]), "job lease").then(
        ([held, abandoned]): Check => ({
          status: abandoned.length ? "warn" : "ok",
          held,
          abandoned: abandoned.map((l) => l.name),
        }),
        failed,
      ),
    ]);
    const checks: Record<string, Check> = { database, outbox, jobs };
    if (redis) checks.redis = redis;
    const ready = database.status !== "fail" && redis?.status !== "fail";
    res
      .status(ready ? 200 : 503)
      .set("Cache-Control", "no-store")
      .json({ status: ready ? "ready" : "unavailable", checks });
  });
  return router;
}
