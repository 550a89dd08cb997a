import { createServer, type Server } from "node:http";
import type { Socket } from "node:net";
import { markRunning } from "./backup/running-lock.js";
import { closeDb } from "./core/db/knex.js";
import { migrateLatest } from "./core/db/migrate.js";
import { startCheckpointer } from "./core/db/sqlite-checkpointer.js";
import { createApp } from "./core/http/app.js";
import { recountStatuses } from "./people/users.repo.js";
import type { Station } from "./station.js";

export type Running = { server: Server; url: string; stop: () => Promise<void> };

/**
 * Migrates, listens (HTTP and Socket.IO), starts the jobs; `stop` undoes it in order (HTTP
 * and Socket.IO, jobs, pool) within 10 s, so PM2's kill_timeout is never reached.
 */
export async function startServer(
  ctx: Station,
  /** `false` leaves that worker stopped (tests drive it themselves). */
  opts: { jobs?: boolean; outbox?: boolean; print?: boolean } = {},
): Promise<Running> {
  const applied = await migrateLatest(ctx.db);
  if (applied.length) ctx.log.info({ migrations: applied }, "migrations applied");
  await recountStatuses(ctx.db);
  const { database } = ctx.config;
  const unmark = markRunning(ctx.config.dataDir);
  const checkpointer = database.client === "sqlite" ? startCheckpointer(database.filename, ctx.log) : null;
  const app = createApp(ctx, ctx.features);
  const server = createServer(app);
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 120_000;
  const sockets = new Set<Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await ctx.live.attach(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(ctx.config.port, ctx.config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : ctx.config.port;
  const off = opts as Record<string, boolean | undefined>;
  const workers = ctx.features.flatMap((f) => f.workers ?? []);
  for (const worker of workers) if (off[worker.name] !== false) worker.start();

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Socket.IO clients hold their connections open: closing them lets the server close;
      // they reconnect by themselves (to another instance, or to this one once restarted).
      const live = ctx.live.close();
      const force = setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, 5_000);
      force.unref();
      await Promise.all([closed, live, ...workers.map((w) => w.stop(3_000))]);
      clearTimeout(force);
      for (const feature of ctx.features) await feature.close?.();
      await checkpointer?.stop();
      await closeDb(ctx.db);
      unmark();
    })();
    return stopping;
  };
  return { server, url: `http://127.0.0.1:${port}`, stop };
}
