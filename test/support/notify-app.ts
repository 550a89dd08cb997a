import { loadConfig } from "../../server/config.js";
import { type Context, createContext } from "../../server/context.js";
import { createLogger } from "../../server/log.js";
import type { Notify } from "../../server/notify/index.js";
import { startServer } from "../../server/server.js";
import type { TestDatabase } from "./databases.js";

export type NotifyTestApp = {
  ctx: Context;
  notify: Notify;
  url: string;
  /** Stops the process's parts (worker, HTTP, pool) and keeps the database, for a restart on it. */
  stop: () => Promise<void>;
};

/**
 * The real service on an existing test database (so that a test can stop it and start
 * another on the same data), with the outbox worker running unless `worker: false`.
 */
export async function startNotifyApp(
  database: TestDatabase,
  env: Record<string, string> = {},
  opts: { worker?: boolean } = {},
): Promise<NotifyTestApp> {
  const config = loadConfig({
    NODE_ENV: "test",
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    ...database.env,
    ...env,
  });
  const ctx = createContext(config, createLogger(config.logLevel));
  const running = await startServer(ctx, { jobs: false, outbox: opts.worker !== false });
  ctx.config.publicUrl = running.url;
  return { ctx, notify: ctx.notify, url: running.url, stop: () => running.stop() };
}

/** Polls `check` until it returns a value (not undefined/false), or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
