import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type JobState,
  MEDIA_OF,
  type PrinterDriver,
  type PrinterMemory,
  type PrinterStatus,
  type PrinterTarget,
  type Submission,
} from "./driver.js";
import { IppDriver } from "./ipp.driver.js";
import { PrintError } from "./print-error.js";

/** The CUPS server and queue of a printer URI such as ipp://localhost:631/printers/Front_Desk. */
export function cupsQueueOf(uri: string): { server: string; queue: string } {
  const url = new URL(uri);
  const match = /^\/printers\/([^/?#]+)$/.exec(url.pathname);
  if (!match) throw new PrintError(`${uri} is not a CUPS queue URI (ipp://localhost:631/printers/NAME)`, "bad-uri", false);
  return { server: `${url.hostname}:${url.port || "631"}`, queue: decodeURIComponent(match[1] as string) };
}

function run(cmd: string, args: string[], timeoutMs: number, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, env, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const e = err as NodeJS.ErrnoException & { killed?: boolean };
      if (e.code === "ENOENT") {
        reject(new PrintError(`${cmd} is not installed on this host (apt-get install cups-client)`, "no-cups-client", false));
      } else if (e.killed) reject(new PrintError(`${cmd} did not finish within ${timeoutMs / 1000} s`, "timeout", true));
      else reject(new PrintError(`${cmd}: ${(stderr || e.message).trim().split("\n")[0]}`, "cups-error", true));
    });
  });
}

/**
 * A queue of the CUPS server on this host: documents go through `lp`, their state comes
 * from `lpstat`. CUPS is itself an IPP server, so the queue's status (and finding a job by
 * its name, which lpstat does not show) is asked over IPP at the same URI.
 */
export class CupsDriver implements PrinterDriver {
  private ipp: IppDriver;
  constructor(private opts: { timeoutMs: number }) {
    this.ipp = new IppDriver(opts);
  }

  private env(printer: PrinterTarget): NodeJS.ProcessEnv {
    // lp and lpstat read credentials from CUPS_USER only for the name; the password would need a prompt.
    return { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C", ...(printer.username ? { CUPS_USER: printer.username } : {}) };
  }

  status(printer: PrinterTarget): Promise<PrinterStatus> {
    cupsQueueOf(printer.uri);
    return this.ipp.status(printer);
  }

  async submit(printer: PrinterTarget, doc: Submission): Promise<{ printerJobId: string }> {
    const { server, queue } = cupsQueueOf(printer.uri);
    const dir = await mkdtemp(path.join(tmpdir(), "invst-lp-"));
    const file = path.join(dir, "invitations.pdf");
    try {
      await writeFile(file, doc.pdf, { mode: 0o600 });
      // No -U: cupsd 2.4 on Debian stops when a job names a user that is not a local account.
      const args = ["-h", server, "-d", queue, "-t", doc.jobName, "-n", String(printer.copies)];
      args.push(
        "-o",
        `media=${MEDIA_OF[printer.paper]}`,
        "-o",
        `sides=${printer.sides}`,
        "-o",
        "document-format=application/pdf",
        file,
      );
      const out = await run("lp", args, this.opts.timeoutMs + Math.ceil(doc.pdf.length / 200_000) * 1000, this.env(printer));
      const match = /request id is (\S+)/.exec(out);
      if (!match) throw new PrintError(`lp did not say which job it made: ${out.trim()}`, "no-job-id", false);
      return { printerJobId: match[1] as string };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async jobState(printer: PrinterTarget, printerJobId: string): Promise<JobState> {
    const { server, queue } = cupsQueueOf(printer.uri);
    for (const which of ["not-completed", "completed"] as const) {
      const out = await run("lpstat", ["-h", server, "-l", "-W", which, "-o", queue], this.opts.timeoutMs, this.env(printer));
      const block = jobBlock(out, printerJobId);
      if (block === null) continue;
      const alerts = /Alerts:\s*(.*)/.exec(block)?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [];
      const status = /Status:\s*(.*)/.exec(block)?.[1]?.trim() || null;
      if (which === "not-completed")
        return { state: /held/.test(block) ? "pending" : "processing", reasons: alerts, message: status };
      const state = alerts.some((a) => a.includes("canceled"))
        ? "canceled"
        : alerts.some((a) => a.includes("abort"))
          ? "aborted"
          : "completed";
      return { state, reasons: alerts, message: status };
    }
    return { state: "gone", reasons: [], message: null };
  }

  async findJob(printer: PrinterTarget, jobName: string): Promise<string | null> {
    const { queue } = cupsQueueOf(printer.uri);
    const id = await this.ipp.findJob(printer, jobName);
    return id === null ? null : `${queue}-${id}`;
  }

  /** cupsd's own memory (it keeps job history across its restarts). */
  memory(printer: PrinterTarget): Promise<PrinterMemory> {
    return this.ipp.memory(printer);
  }
}

/** The lines lpstat -l prints for one job: its id line and the indented lines under it. */
function jobBlock(out: string, jobId: string): string | null {
  const lines = out.split("\n");
  const start = lines.findIndex((l) => l.split(/\s+/)[0] === jobId);
  if (start < 0) return null;
  let end = start + 1;
  while (end < lines.length && /^\s/.test(lines[end] as string)) end++;
  return lines.slice(start, end).join("\n");
}
