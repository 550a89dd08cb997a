import {
  type JobState,
  MEDIA_OF,
  type PrinterDriver,
  type PrinterMemory,
  type PrinterStatus,
  type PrinterTarget,
  type Submission,
} from "./driver.js";
import { asList, asStrings, type IppAttributes, type IppTarget, ippRequest } from "./ipp-client.js";
import { PrintError } from "./print-error.js";
import { STATUS_ATTRIBUTES, statusFromAttributes, unreachableStatus } from "./printer-status.js";

const JOB_ATTRIBUTES = ["job-id", "job-name", "job-state", "job-state-reasons", "job-state-message"];

/** IPP job-state keywords (the ipp package turns the enum into these) in our terms. */
export function jobStateOf(value: unknown): JobState["state"] {
  switch (String(value)) {
    case "pending":
    case "pending-held":
    case "3":
    case "4":
      return "pending";
    case "processing":
    case "processing-stopped":
    case "5":
    case "6":
      return "processing";
    case "canceled":
    case "7":
      return "canceled";
    case "aborted":
    case "8":
      return "aborted";
    case "completed":
    case "9":
      return "completed";
    default:
      return "pending";
  }
}

/** Network printers and print servers over IPP (ipp://, ipps://, http(s)://). */
export class IppDriver implements PrinterDriver {
  constructor(private opts: { timeoutMs: number }) {}

  private target(printer: PrinterTarget, timeoutMs = this.opts.timeoutMs): IppTarget {
    return { uri: printer.uri, username: printer.username, password: printer.password, timeoutMs };
  }

  async status(printer: PrinterTarget): Promise<PrinterStatus> {
    try {
      const res = await ippRequest(this.target(printer), "Get-Printer-Attributes", { "requested-attributes": STATUS_ATTRIBUTES });
      return statusFromAttributes((res.groups["printer-attributes-tag"] as IppAttributes | undefined) ?? {}, printer);
    } catch (err) {
      if (err instanceof PrintError && (err.reason === "unreachable" || err.reason === "timeout"))
        return unreachableStatus(err.message);
      throw err;
    }
  }

  async submit(printer: PrinterTarget, doc: Submission): Promise<{ printerJobId: string }> {
    const jobAttributes: IppAttributes = { copies: printer.copies, media: MEDIA_OF[printer.paper] };
    if (printer.sides !== "one-sided") jobAttributes.sides = printer.sides;
    // A large document takes a while to upload: allow a second per 200 kB on top of the deadline.
    const timeoutMs = this.opts.timeoutMs + Math.ceil(doc.pdf.length / 200_000) * 1000;
    const res = await ippRequest(
      this.target(printer, timeoutMs),
      "Print-Job",
      { "requesting-user-name": doc.userName, "job-name": doc.jobName, "document-format": "application/pdf" },
      { jobAttributes, data: doc.pdf, acceptStatus: ["successful-ok-ignored-or-substituted-attributes"] },
    );
    const job = res.groups["job-attributes-tag"] as IppAttributes | undefined;
    const id = job?.["job-id"];
    if (typeof id !== "number") throw new PrintError("The printer accepted the job but gave no job-id", "no-job-id", false);
    return { printerJobId: String(id) };
  }

  async jobState(printer: PrinterTarget, printerJobId: string, jobName: string): Promise<JobState> {
    try {
      const res = await ippRequest(this.target(printer), "Get-Job-Attributes", {
        "job-id": Number(printerJobId),
        "requesting-user-name": "invite-station",
        "requested-attributes": JOB_ATTRIBUTES,
      });
      const job = (res.groups["job-attributes-tag"] as IppAttributes | undefined) ?? {};
      // A printer that restarted may give the same id to another job.
      if (typeof job["job-name"] === "string" && job["job-name"] !== jobName)
        return { state: "gone", reasons: [], message: null };
      return {
        state: jobStateOf(job["job-state"]),
        reasons: asStrings(job["job-state-reasons"]).filter((r) => r !== "none"),
        message: typeof job["job-state-message"] === "string" && job["job-state-message"] ? job["job-state-message"] : null,
      };
    } catch (err) {
      if (err instanceof PrintError && err.reason === "client-error-not-found")
        return { state: "gone", reasons: [], message: null };
      throw err;
    }
  }

  async findJob(printer: PrinterTarget, jobName: string): Promise<string | null> {
    for (const which of ["not-completed", "completed"]) {
      const res = await ippRequest(this.target(printer), "Get-Jobs", {
        "requesting-user-name": "invite-station",
        "which-jobs": which,
        "requested-attributes": ["job-id", "job-name"],
      });
      for (const job of asList(res.groups["job-attributes-tag"]) as IppAttributes[]) {
        if (job["job-name"] === jobName && typeof job["job-id"] === "number") return String(job["job-id"]);
      }
    }
    return null;
  }

  /**
   * printer-up-time is seconds since the printer started (CUPS answers the current Unix time
   * instead, which reads as a start in 1970 that never moves: CUPS keeps its jobs across
   * restarts anyway). time-at-creation is on the same clock.
   */
  async memory(printer: PrinterTarget): Promise<PrinterMemory> {
    const asked = Date.now();
    const res = await ippRequest(this.target(printer), "Get-Printer-Attributes", {
      "requested-attributes": ["printer-up-time"],
    });
    const upTime = (res.groups["printer-attributes-tag"] as IppAttributes | undefined)?.["printer-up-time"];
    if (typeof upTime !== "number") return { bootAt: null, oldestJobAt: null };
    const bootAt = asked - upTime * 1000;
    let oldest: number | null = null;
    for (const which of ["not-completed", "completed"]) {
      const jobs = await ippRequest(this.target(printer), "Get-Jobs", {
        "requesting-user-name": "invite-station",
        "which-jobs": which,
        "requested-attributes": ["job-id", "time-at-creation"],
      });
      for (const job of asList(jobs.groups["job-attributes-tag"]) as IppAttributes[]) {
        const created = job["time-at-creation"];
        if (typeof created === "number" && (oldest === null || created < oldest)) oldest = created;
      }
    }
    return { bootAt, oldestJobAt: oldest === null ? null : bootAt + oldest * 1000 };
  }
}
