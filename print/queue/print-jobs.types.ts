/**
 * `unconfirmed`: the printer took the document and can no longer say whether it printed
 * (it restarted, or forgot the job): the front desk decides ("Print again" or "Mark as
 * printed"); nothing is sent again on its own.
 */
export const JOB_STATUSES = ["queued", "processing", "completed", "failed", "canceled", "unconfirmed"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const FINAL_STATUSES: readonly JobStatus[] = ["completed", "failed", "canceled"];
/** Nothing more happens to these without someone: final, or waiting for the front desk. */
export const SETTLED_STATUSES: readonly JobStatus[] = [...FINAL_STATUSES, "unconfirmed"];
export type JobKind = "now" | "batch";

/**
 * The printer state of a job a spooler took (the Windows driver): it tells nothing more, so
 * the job is done on the service's side (`completed`) without anyone knowing it printed.
 * The pages say "Handed to the spooler" for it, never "Printed".
 */
export const SPOOLED = "spooled";

/** A print job as the API and the pages show it. */
export type PrintJob = {
  id: number;
  status: JobStatus;
  printerId: number | null;
  printerName: string;
  kind: JobKind;
  batchId: number | null;
  jobNumber: number;
  jobCount: number;
  letters: number;
  attempts: number;
  nextAttemptAt: string | null;
  /** The printer's own id for the job, once it accepted it. */
  printerJobId: string | null;
  /**
   * The job's state at the printer (pending, processing, completed, …) as last seen;
   * `spooled` when a spooler took it and tells nothing more (see SPOOLED).
   */
  printerState: string | null;
  error: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
};

/**
 * One letter of a job as planned: the person and the words their letter carries. The link
 * is not part of it: it is a secret, read from the person's invitation when the letter is
 * drawn.
 */
export type PlannedLetter = {
  userId: number;
  firstName: string;
  lastName: string;
  department: string | null;
  site: string | null;
  language: string;
};

/** A person's letter words, as a job plans them ("print now" and the overnight batch alike). */
export function plannedLetter(person: {
  id: number;
  firstName: string;
  lastName: string;
  department: string | null;
  site: string | null;
  language: string;
}): PlannedLetter {
  const { id, firstName, lastName, department, site, language } = person;
  return { userId: id, firstName, lastName, department, site, language };
}

/** The cover sheet of a batch job as planned (its people are the job's letters). */
export type PlannedCover = {
  title: string;
  printerName: string;
  site: string | null;
  createdAt: Date;
};

/** One entry of a job's history: what was decided and on what evidence. */
export type HistoryEntry = {
  at: string;
  kind: string;
  summary: string;
  evidence: Record<string, unknown> | null;
  actor: string | null;
};
