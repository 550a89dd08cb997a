import { Router } from "express";
import type { Knex } from "knex";
import { abandonedLeases, heldLeases } from "../jobs/leases.repo.js";

/** `starting`: this instance is still getting ready (a renderer warming up); it is not ready yet. */
export type Check = { status: "ok" | "warn" | "fail" | "starting"; [detail: string]: unknown };

const CHECK_MS = 2_000;

function within<T>(p: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} check timed out`)), CHECK_MS).unref()),
  ]);
}

const failed = (err: unknown): Check => ({ status: "fail", error: (err as Error).message || String(err) });

type Deps = {
  db: Knex;
  /** null when no Redis is configured. */
  pingRedis: () => Promise<unknown>;
  /**
   * Checks of the features (the outbox backlog, the letter renderer): reported; besides the
   * database and Redis, only a check still `starting` holds readiness back.
   */
  checks: Record<string, () => Promise<Check>>;
};

/**
 * /healthz: the process answers (PM2 / a liveness probe). /readyz: this instance can serve
 * (a load balancer's probe): 503 when the database or Redis (when set) fails, or while the
 * instance is still starting (LETTERS_WARM_UP: until its renderer is warm). Backlogs and the
 * job leases are shared by every instance, so they only warn: taking every instance out of
 * the pool for them would not help.
 */
export function healthRoutes(deps: Deps): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/readyz", async (_req, res) => {
    const now = Date.now();
    const extra = Object.entries(deps.checks);
    const [database, redis, jobs, ...extras] = await Promise.all([
      within(deps.db.raw("select 1"), "database").then((): Check => ({ status: "ok" }), failed),
      within(deps.pingRedis(), "redis").then((r): Check | null => (r ? { status: "ok" } : null), failed),
      within(Promise.all([heldLeases(deps.db, now), abandonedLeases(deps.db, now)]), "job lease").then(
        ([held, abandoned]): Check => ({
          status: abandoned.length ? "warn" : "ok",
          held,
          abandoned: abandoned.map((l) => l.name),
        }),
        failed,
      ),
      ...extra.map(([name, check]) => within(check(), name).catch(failed)),
    ]);
    const checks: Record<string, Check> = { database };
    extra.forEach(([name], i) => {
      checks[name] = extras[i] as Check;
    });
    checks.jobs = jobs;
    if (redis) checks.redis = redis;
    const down = database.status === "fail" || redis?.status === "fail";
    const starting = extras.some((c) => (c as Check).status === "starting");
    const ready = !down && !starting;
    res
      .status(ready ? 200 : 503)
      .set("Cache-Control", "no-store")
      .json({ status: down ? "unavailable" : starting ? "starting" : "ready", checks });
  });
  return router;
}
