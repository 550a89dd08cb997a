import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import type { Rate } from "./letters.bench.js";

/** Which code a started service runs: the TypeScript through tsx, or the compiled dist/. */
export type ServiceCode = "sources" | "dist";

export type Download = {
  /** The first download after the service answered /healthz. */
  first: Rate;
  /** The fastest of the downloads after it. */
  warm: Rate;
  /** After those, another group of as many people, which the warm service has never drawn (null: not asked). */
  otherGroup: Rate | null;
  /** Seconds from spawning the process until /healthz answered. */
  startSeconds: number;
  /**
   * With LETTERS_WARM_UP=true: seconds from spawning until /readyz said ready (the renderer
   * warm), which the first download waits for, as a load balancer would; and the process's
   * resident memory 10 s later, at rest with its renderer warm. Null otherwise.
   */
  warmedUp: { readySeconds: number; rssMb: number } | null;
};

const ROOT = path.resolve(import.meta.dirname, "..");
const WARM_RUNS = 3;

/** The command `npm start` ran before the service was compiled, and the one it runs now. */
const COMMANDS: Record<ServiceCode, string[]> = {
  sources: ["--max-semi-space-size=4", "--import", "tsx", "server/main.ts"],
  dist: ["--max-semi-space-size=4", "scripts/start.mjs"],
};

/**
 * Starts the service as production does, on the benchmark's database, and times a
 * group's letters through the JSON API: the first download once it answers, then warm ones.
 */
export async function timeDownloads(
  code: ServiceCode,
  opts: {
    env: Record<string, string>;
    path: string;
    /** Another group's PDF, downloaded last (new names and codes for a warm renderer). */
    otherPath?: string;
    key: string;
    letters: number;
    file: string;
    pages: (file: string) => Promise<number | null>;
  },
): Promise<Download> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  // `BENCH_SERVICE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"`: profile the started services (threads included).
  const nodeArgs = (process.env.BENCH_SERVICE_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, ...COMMANDS[code]], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      // `LETTERS_WARM_UP=true npm run bench -- letters`: the service warms its renderer at start.
      ...(process.env.LETTERS_WARM_UP ? { LETTERS_WARM_UP: process.env.LETTERS_WARM_UP } : {}),
      ...opts.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((resolve) => child.on("exit", resolve));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the service (${code}) exited ${child.exitCode}: ${stderr.slice(-2000)}`);
      const ok = await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const startSeconds = (performance.now() - started) / 1000;
    let warmedUp: Download["warmedUp"] = null;
    if (process.env.LETTERS_WARM_UP === "true") {
      while ((await fetch(`${url}/readyz`)).status !== 200) await new Promise((r) => setTimeout(r, 20));
      const readySeconds = (performance.now() - started) / 1000;
      // Let the warm-up's garbage be collected, as it would be by the time a first download comes.
      await new Promise((r) => setTimeout(r, 10_000));
      warmedUp = { readySeconds, rssMb: residentMb(child.pid as number) };
    }
    const once = async (at = opts.path): Promise<{ rate: Rate; pdf: Buffer }> => {
      const t = performance.now();
      const res = await fetch(`${url}${at}`, { headers: { authorization: `Bearer ${opts.key}` } });
      if (res.status !== 200) throw new Error(`the group's PDF answered ${res.status}: ${await res.text()}`);
      const pdf = Buffer.from(await res.arrayBuffer());
      const seconds = (performance.now() - t) / 1000;
      return { rate: { pages: opts.letters, seconds, perSecond: opts.letters / seconds }, pdf };
    };
    const first = await once();
    writeFileSync(opts.file, first.pdf);
    const pages = await opts.pages(opts.file);
    if (pages !== null && pages !== opts.letters)
      throw new Error(`the group's PDF has ${pages} pages for ${opts.letters} letters`);
    let warm = (await once()).rate;
    for (let i = 1; i < WARM_RUNS; i++) {
      const next = (await once()).rate;
      if (next.seconds < warm.seconds) warm = next;
    }
    const otherGroup = opts.otherPath ? (await once(opts.otherPath)).rate : null;
    return { first: first.rate, warm, otherGroup, startSeconds, warmedUp };
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}

function residentMb(pid: number): number {
  const kb = /^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Math.round(Number(kb) / 1024);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
