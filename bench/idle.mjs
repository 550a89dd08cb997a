/**
 * Start time and idle memory of the service, the way `npm start` runs it: starts the given
 * command (default: what `npm start` runs) on a fresh SQLite data folder, times it until
 * /healthz answers, lets it settle, then reads its resident memory from /proc.
 * `node bench/idle.mjs [node args...]`; prints one JSON line per run.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 15_000);
const args = process.argv.length > 2 ? process.argv.slice(2) : ["--max-semi-space-size=4", "scripts/start.mjs"];

const port = await new Promise((resolve) => {
  const s = net.createServer().listen(0, "127.0.0.1", () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const dataDir = mkdtempSync(path.join(tmpdir(), "invst-idle-"));
const started = performance.now();
const child = spawn(process.execPath, args, {
  cwd: ROOT,
  env: {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...(process.env.LETTERS_WARM_UP ? { LETTERS_WARM_UP: process.env.LETTERS_WARM_UP } : {}),
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
  },
  stdio: ["ignore", "ignore", "inherit"],
});
let readyMs = null;
while (readyMs === null) {
  if (child.exitCode !== null) throw new Error(`the service exited ${child.exitCode}`);
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    if (res.ok) readyMs = performance.now() - started;
  } catch {}
  if (readyMs === null) await new Promise((r) => setTimeout(r, 20));
}
await new Promise((r) => setTimeout(r, SETTLE_MS));
const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(status)?.[1]);
const threads = kb("Threads");
child.kill("SIGTERM");
await new Promise((r) => child.on("exit", r));
rmSync(dataDir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    command: args.join(" "),
    readyMs: Math.round(readyMs),
    idleRssMb: Math.round(kb("VmRSS") / 1024),
    peakRssMb: Math.round(kb("VmHWM") / 1024),
    threads,
    load: loadavg()
      .map((l) => l.toFixed(2))
      .join(" "),
  }),
);
