import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { IppDriver } from "../../print/drivers/ipp.driver.js";
import { freePort, waitFor } from "./process.js";
import { requireOrSkip } from "./services.js";

const BIN = "/usr/sbin/ippeveprinter";

export type IppPrinter = {
  name: string;
  port: number;
  uri: string;
  spoolDir: string;
  /** The documents the printer received, oldest first: job id, job name and bytes. */
  spooled: () => Array<{ jobId: number; jobName: string; file: string; pdf: Buffer }>;
  /** Kills the printer process (a printer switched off): it loses its queue, the spool stays. */
  kill: () => Promise<void>;
  /** Starts it again on the same port and spool directory. */
  start: () => Promise<void>;
  stop: () => Promise<void>;
};

/** Whether ippeveprinter can run here (installed; D-Bus and avahi up): null when it can. */
export function ippProblem(): string | null {
  if (!existsSync(BIN)) return `${BIN} is missing`;
  if (!existsSync("/run/dbus/system_bus_socket")) return "the system D-Bus is not running";
  return null;
}

/** The suite's guard: true when ippeveprinter can be used, else one loud line (a failure under CI=true). */
export function requireIpp(): boolean {
  return requireOrSkip("ippeveprinter", ippProblem(), "bash scripts/test-services.sh ipp (cups-ipp-utils, dbus, avahi-daemon)");
}

/**
 * A real IPP Everywhere printer (CUPS's ippeveprinter) on a free loopback port, keeping
 * every job's document in its spool directory. `fast`: `-c /bin/true` prints at once;
 * without it each job "prints" for several seconds and others get server-error-busy.
 */
export async function startIppPrinter(opts: { fast?: boolean; name?: string } = {}): Promise<IppPrinter> {
  const port = await freePort();
  const spoolDir = mkdtempSync(path.join(tmpdir(), "invst-ipp-"));
  const name = opts.name ?? `Test Printer ${port}`;
  const uri = `ipp://localhost:${port}/ipp/print`;
  let child: ChildProcess | null = null;
  let log = "";
  const driver = new IppDriver({ timeoutMs: 2_000 });
  const target = {
    id: 0,
    name,
    driver: "ipp" as const,
    uri,
    paper: "A4" as const,
    sides: "one-sided" as const,
    copies: 1,
    username: null,
    password: null,
  };

  const start = async () => {
    const args = ["-n", "localhost", "-p", String(port), "-d", spoolDir, "-k", "-f", "application/pdf,image/pwg-raster"];
    if (opts.fast !== false) args.push("-c", "/bin/true");
    child = spawn(BIN, [...args, name], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.on("data", (d) => (log += d));
    child.stderr?.on("data", (d) => (log += d));
    const exited = new Promise<void>((r) => child?.once("exit", () => r()));
    await waitFor(
      async () => {
        if (child?.exitCode !== null) throw new Error(`ippeveprinter exited: ${log.trim().slice(-400)}`);
        return (await driver.status(target)).state !== "unreachable";
      },
      20_000,
      "ippeveprinter to answer",
    );
    void exited;
  };

  const kill = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise<void>((r) => c.once("exit", () => r()));
    c.kill("SIGKILL");
    await gone;
  };

  await start();
  return {
    name,
    port,
    uri,
    spoolDir,
    spooled: () =>
      readdirSync(spoolDir)
        .filter((f) => f.endsWith(".pdf"))
        .map((f) => {
          const m = /^(\d+)-(.*)\.pdf$/.exec(f);
          return {
            jobId: Number(m?.[1]),
            jobName: m?.[2] ?? "",
            file: path.join(spoolDir, f),
            pdf: readFileSync(path.join(spoolDir, f)),
          };
        })
        .sort((a, b) => statMtime(a.file) - statMtime(b.file) || a.jobId - b.jobId),
    kill,
    start,
    stop: async () => {
      await kill();
      rmSync(spoolDir, { recursive: true, force: true });
    },
  };
}

function statMtime(file: string): number {
  return statSync(file).mtimeMs;
}
