import type { Notify } from "../../server/notify/index.js";
import type { Station } from "../../server/station.js";
import { startOn } from "./app.js";
import type { TestDatabase } from "./databases.js";

export type NotifyTestApp = {
  ctx: Station;
  notify: Notify;
  url: string;
  /** Stops the process's parts (worker, HTTP, pool) and keeps the database, for a restart on it. */
  stop: () => Promise<void>;
};

/** The service on an existing database, with the outbox worker running unless `worker: false`. */
export async function startNotifyApp(
  database: TestDatabase,
  env: Record<string, string> = {},
  opts: { worker?: boolean } = {},
): Promise<NotifyTestApp> {
  const app = await startOn(database, env, { outbox: opts.worker !== false });
  return { ctx: app.ctx, notify: app.ctx.notify, url: app.url, stop: app.stop };
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
