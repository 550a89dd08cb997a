import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, waitFor } from "./process.js";
import { requireOrSkip } from "./services.js";

const BIN = "/usr/bin/prometheus";

/** The suite's guard: true when Debian's prometheus is installed, else one loud line (a failure under CI=true). */
export function requirePrometheus(): boolean {
  return requireOrSkip("Prometheus", existsSync(BIN) ? null : `${BIN} is missing`, "bash scripts/test-services.sh prometheus");
}

export type Prometheus = {
  url: string;
  /** An instant query's vector: labels and value of each series. */
  query: (promql: string) => Promise<Array<{ metric: Record<string, string>; value: number }>>;
  /** The scrape target's health as Prometheus sees it ("up", "down", "unknown") and its last error. */
  target: () => Promise<{ health: string; lastError: string } | undefined>;
  stop: () => Promise<void>;
};

/**
 * A real Prometheus (a child process on a free loopback port, its own config and storage)
 * scraping `target` (host:port) every second with the bearer token.
 */
export async function startPrometheus(target: string, token: string): Promise<Prometheus> {
  const dir = mkdtempSync(path.join(tmpdir(), "invst-prom-"));
  const port = await freePort();
  const config = path.join(dir, "prometheus.yml");
  writeFileSync(
    config,
    [
      "global:",
      "  scrape_interval: 1s",
      "  scrape_timeout: 1s",
      "scrape_configs:",
      "  - job_name: invite-station",
      "    authorization:",
      "      type: Bearer",
      `      credentials: ${JSON.stringify(token)}`,
      "    static_configs:",
      `      - targets: [${JSON.stringify(target)}]`,
      "",
    ].join("\n"),
  );
  let log = "";
  const child: ChildProcess = spawn(
    BIN,
    [`--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.on("data", (d) => (log += d));
  child.stderr?.on("data", (d) => (log = (log + d).slice(-4000)));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited: ${log.slice(-600)}`);
      return fetch(`${url}/-/ready`)
        .then((r) => r.ok)
        .catch(() => false);
    },
    30_000,
    "prometheus to be ready",
  );
  return {
    url,
    async query(promql) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await res.json()) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
      return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    async target() {
      const res = await fetch(`${url}/api/v1/targets`);
      const body = (await res.json()) as { data: { activeTargets: Array<{ health: string; lastError: string }> } };
      return body.data.activeTargets[0];
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
