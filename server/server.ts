import { createServer, type Server } from "node:http";
import type { Socket } from "node:net";
import { markRunning } from "./backup/running-lock.js";
import type { Context } from "./context.js";
import { closeDb } from "./db/knex.js";
import { migrateLatest } from "./db/migrate.js";
import { startCheckpointer } from "./db/sqlite-checkpointer.js";
import { createApp } from "./http/app.js";
import { recountStatuses } from "./people/users.repo.js";

export type Running = { server: Server; url: string; stop: () => Promise<void> };

/**
 * Migrates, listens (HTTP and Socket.IO), starts the jobs; `stop` undoes it in order (HTTP
 * and Socket.IO, jobs, pool) within 10 s, so PM2's kill_timeout is never reached.
 */
export async function startServer(
  ctx: Context,
  opts: { jobs?: boolean; outbox?: boolean; print?: boolean } = {},
): Promise<Running> {
  const applied = await migrateLatest(ctx.db);
  if (applied.length) ctx.log.info({ migrations: applied }, "migrations applied");
  await recountStatuses(ctx.db);
  const { database } = ctx.config;
  const unmark = markRunning(ctx.config.dataDir);
  const checkpointer = database.client === "sqlite" ? startCheckpointer(database.filename, ctx.log) : null;
  const app = createApp(ctx);
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
  if (opts.jobs !== false) ctx.jobs.start();
  // The outbox sends what the pages queue, so it runs even where scheduled jobs do not.
  if (opts.outbox !== false) ctx.notify.start();
  // Likewise the print worker: "print now" must not wait for the scheduler.
  if (opts.print !== false) ctx.print.worker.start();

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
      await Promise.all([closed, live, ctx.jobs.stop(3_000), ctx.notify.stop(3_000), ctx.print.worker.stop(3_000)]);
      clearTimeout(force);
      // After the print worker: a job it was rendering has had its time to finish.
      await ctx.letters.stop();
      await checkpointer?.stop();
      await closeDb(ctx.db);
      unmark();
    })();
    return stopping;
  };
  return { server, url: `http://127.0.0.1:${port}`, stop };
}
