/** What a driver needs to know of a printer (its password already unsealed). */
export type PrinterTarget = {
  id: number;
  name: string;
  driver: DriverName;
  uri: string;
  paper: "A4" | "Letter";
  sides: Sides;
  copies: number;
  username: string | null;
  password: string | null;
};

export const DRIVERS = ["ipp", "cups", "windows"] as const;
export type DriverName = (typeof DRIVERS)[number];
export const SIDES = ["one-sided", "two-sided-long-edge", "two-sided-short-edge"] as const;
export type Sides = (typeof SIDES)[number];

export type PrinterState = "idle" | "processing" | "stopped" | "unreachable";

export type MarkerLevel = { name: string; level: number | null; kind: string | null };

/** The answer to Get-Printer-Attributes (or what a driver can tell in its place). */
export type PrinterStatus = {
  state: PrinterState;
  /** printer-state-reasons without "none": media-empty, toner-low, offline-report, … */
  reasons: string[];
  /** document-format-supported */
  formats: string[];
  media: { supported: string[]; ready: string[] };
  markers: MarkerLevel[];
  acceptingJobs: boolean | null;
  makeAndModel: string | null;
  /** Things an admin should fix before printing: no PDF support, no paper of the right size, … */
  warnings: string[];
  /** When unreachable: why. */
  error: string | null;
  checkedAt: string;
};

/**
 * A job's state as the printer reports it; `gone` when the printer no longer knows the job;
 * `spooled` when a spooler took it and can tell nothing more (the Windows driver): not known
 * to be printed, nothing more to follow.
 */
export type JobState = {
  state: "pending" | "processing" | "completed" | "canceled" | "aborted" | "gone" | "spooled";
  reasons: string[];
  message: string | null;
};

export type Submission = { pdf: Buffer; jobName: string; userName: string };

/**
 * What a printer says of its own memory, for reconciling an attempt it no longer lists:
 * when it last started (from printer-up-time) and when the oldest job it still lists was
 * made. null where the printer (or driver) cannot tell.
 */
export type PrinterMemory = { bootAt: number | null; oldestJobAt: number | null };

export interface PrinterDriver {
  status(printer: PrinterTarget): Promise<PrinterStatus>;
  /** Sends the document; returns the printer's id for the job. Throws a PrintError. */
  submit(printer: PrinterTarget, doc: Submission): Promise<{ printerJobId: string }>;
  /** The job's state; `jobName` guards against a printer that reuses ids after a restart. */
  jobState(printer: PrinterTarget, printerJobId: string, jobName: string): Promise<JobState>;
  /** The printer's id of a job with this (unique) name, when it has one: for reconciling after a crash. */
  findJob(printer: PrinterTarget, jobName: string): Promise<string | null>;
  /** The printer's memory (see PrinterMemory); asked before each attempt and when reconciling. */
  memory(printer: PrinterTarget): Promise<PrinterMemory>;
}

/** The IPP media keyword for the letter's paper size. */
export const MEDIA_OF: Record<PrinterTarget["paper"], string> = { A4: "iso_a4_210x297mm", Letter: "na_letter_8.5x11in" };
