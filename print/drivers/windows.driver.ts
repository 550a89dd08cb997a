import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { JobState, PrinterDriver, PrinterMemory, PrinterStatus, PrinterTarget, Submission } from "./driver.js";
import { PrintError } from "./print-error.js";
import { unreachableStatus } from "./printer-status.js";

const notWindows = () =>
  new PrintError(
    `The windows driver prints through the Windows spooler (pdf-to-printer) and only works when Invite Station runs on Windows; this host runs ${process.platform}. Use the ipp driver with the printer's ipp:// address instead.`,
    "not-windows",
    false,
  );

/**
 * A printer installed on a Windows host, by its Windows name, through pdf-to-printer
 * (SumatraPDF). The Windows spooler tells no job state back, so the driver says what it
 * knows: the job was handed to the spooler (`spooled`), not that it printed.
 */
export class WindowsDriver implements PrinterDriver {
  constructor(private opts: { timeoutMs: number }) {}

  async status(printer: PrinterTarget): Promise<PrinterStatus> {
    if (process.platform !== "win32") return unreachableStatus(notWindows().message);
    const { getPrinters } = await import("pdf-to-printer");
    const printers = await withTimeout(getPrinters(), this.opts.timeoutMs);
    const found = printers.find((p) => p.name === printer.uri || p.deviceId === printer.uri);
    if (!found) return unreachableStatus(`No printer named "${printer.uri}" is installed on this Windows host.`);
    const status = unreachableStatus("");
    return { ...status, state: "idle", error: null, formats: ["application/pdf"], makeAndModel: found.name };
  }

  async submit(printer: PrinterTarget, doc: Submission): Promise<{ printerJobId: string }> {
    if (process.platform !== "win32") throw notWindows();
    const { print } = await import("pdf-to-printer");
    const dir = await mkdtemp(path.join(tmpdir(), "invst-win-"));
    const file = path.join(dir, `${doc.jobName}.pdf`);
    try {
      await writeFile(file, doc.pdf);
      const side =
        printer.sides === "one-sided" ? "simplex" : printer.sides === "two-sided-long-edge" ? "duplexlong" : "duplexshort";
      await withTimeout(
        print(file, { printer: printer.uri, copies: printer.copies, paperSize: printer.paper, side }),
        this.opts.timeoutMs + Math.ceil(doc.pdf.length / 200_000) * 1000,
      );
      return { printerJobId: doc.jobName };
    } catch (err) {
      if (err instanceof PrintError) throw err;
      throw new PrintError(`The Windows spooler refused the job: ${(err as Error).message}`, "spooler-error", true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async jobState(): Promise<JobState> {
    return { state: "spooled", reasons: ["handed-to-spooler"], message: "Handed to the Windows spooler" };
  }

  async findJob(): Promise<string | null> {
    return null;
  }

  /** The spooler tells nothing of the kind: a lost attempt goes to the front desk. */
  async memory(): Promise<PrinterMemory> {
    return { bootAt: null, oldestJobAt: null };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(
      () => reject(new PrintError(`The Windows spooler did not answer within ${ms / 1000} s`, "timeout", true)),
      ms,
    );
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
