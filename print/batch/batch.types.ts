import type { PrintJob } from "../queue/print-jobs.types.js";

/** One run of the overnight batch: how many jobs and letters it planned, and when it finished. */
export type Batch = {
  id: number;
  trigger: string;
  startedBy: string | null;
  jobs: number;
  letters: number;
  startedAt: string;
  finishedAt: string | null;
};

/**
 * `noPrinter`: people left waiting because no printer serves their site; `deadLinks`: people
 * left waiting because their invitation link expired or was revoked (a letter would not
 * work; they print on the first run after someone makes them a new link).
 */
export type BatchRun = { batch: Batch; jobs: PrintJob[]; noPrinter: number; deadLinks: number };
