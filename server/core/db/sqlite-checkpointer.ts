import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { Logger } from "../log.js";

/**
 * SQLite's own checkpoints run inside the commit that crosses the WAL threshold, on the
 * connection that serves every request: with a synchronous driver that blocks the event loop
 * for the copy and its fsync, and it was most of the service's slowest responses. So the
 * serving connection checkpoints only as a safety net (a large WAL, see knex.ts), and this
 * thread, on a connection of its own, copies the WAL back into the database ten times a
 * second. PASSIVE never waits for the serving connection, which goes on writing meanwhile.
 *
 * Often, because under sustained writes (500 redemptions a second write ~50 MB of WAL a
 * second) a checkpoint a second fell behind: the safety net then fired in a commit every
 * ~0.7 s, with most of a 40 MB copy and its fsync left to do, and stalled every request
 * for 30–60 ms. Kept this close behind, the safety net finds nothing left to copy.
 */
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.filename, { fileMustExist: true });
db.pragma("busy_timeout = 1000");
const tick = () => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message || err) });
  }
};
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on("message", (m) => {
  if (m !== "stop") return;
  clearInterval(timer);
  tick();
  db.close();
  parentPort.close();
});
`;

export type Checkpointer = { stop: () => Promise<void> };

export function startCheckpointer(filename: string, log: Logger, intervalMs = 100): Checkpointer {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(WORKER, { eval: true, workerData: { filename, driver, intervalMs } });
  let lastError = "";
  worker.on("message", (m: { error?: string }) => {
    // Busy now and then is expected under load; say it once, not at every tick.
    if (m.error && m.error !== lastError) log.warn({ err: m.error }, "SQLite checkpoint failed; retrying");
    lastError = m.error ?? "";
  });
  worker.on("error", (err) => log.error({ err }, "SQLite checkpoint thread stopped; SQLite checkpoints by itself from now on"));
  worker.unref();
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        worker.once("exit", () => resolve());
        worker.postMessage("stop");
        setTimeout(() => void worker.terminate(), 2_000).unref();
      }),
  };
}
