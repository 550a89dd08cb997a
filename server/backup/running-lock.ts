import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";

/**
 * DATA_DIR/service.pid: written by a running service, removed when it stops. `cli restore`
 * refuses while it names a live process on this machine (a stale file, from a crash, does not
 * count). Instances on other machines sharing MySQL/MariaDB have their own DATA_DIR: stop
 * them before a restore (README, Backups).
 */
const FILE = "service.pid";

export function markRunning(dataDir: string): () => void {
  const file = path.join(dataDir, FILE);
  writeFileSync(file, JSON.stringify({ pid: process.pid, host: hostname() }), { mode: 0o600 });
  return () => {
    try {
      const held = JSON.parse(readFileSync(file, "utf8")) as { pid: number };
      if (held.pid === process.pid) rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
}

/** The pid of a live service using this DATA_DIR, or null. */
export function runningService(dataDir: string): number | null {
  try {
    const held = JSON.parse(readFileSync(path.join(dataDir, FILE), "utf8")) as { pid: number; host: string };
    if (held.host !== hostname()) return null;
    process.kill(held.pid, 0);
    return held.pid;
  } catch (err) {
    // EPERM: the process exists but belongs to another user: still running.
    return (err as NodeJS.ErrnoException).code === "EPERM" ? -1 : null;
  }
}
