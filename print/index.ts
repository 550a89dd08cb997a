import { systemActor } from "../server/core/events.js";
import type { Context } from "../server/station.js";
import { PrintBatch } from "./batch/print-batch.js";
import { createDrivers } from "./drivers/drivers.js";
import { PrintersService } from "./printers/printers.service.js";
import type { LetterRenderer } from "./queue/letters.js";
import { PrintJobsService } from "./queue/print-jobs.service.js";
import { PrintWorker } from "./queue/print-worker.js";

/** The print station, built once per process: printers, jobs, the worker that sends them, the batch. */
export type Print = {
  printers: PrintersService;
  jobs: PrintJobsService;
  worker: PrintWorker;
  batch: PrintBatch;
};

type Deps = Pick<
  Context,
  "config" | "log" | "db" | "events" | "users" | "admins" | "jobs" | "notify" | "live" | "invitations" | "settings" | "addresses"
> & {
  letters: () => LetterRenderer;
};

/** Deadline of one request to a printer (the ipp package has none). */
const PRINTER_TIMEOUT_MS = 15_000;

export function createPrint(deps: Deps): Print {
  const { config, db, events, log } = deps;
  const drivers = createDrivers({ timeoutMs: PRINTER_TIMEOUT_MS });
  let jobs: PrintJobsService | null = null;
  const printers = new PrintersService({
    db,
    events,
    secretKey: config.secretKey,
    drivers,
    addresses: deps.addresses,
    activeJobs: (id) => (jobs as PrintJobsService).activeForPrinter(id),
  });
  let worker: PrintWorker | null = null;
  const wake = () => worker?.kick();
  jobs = new PrintJobsService({
    db,
    events,
    users: deps.users,
    invitations: deps.invitations,
    printers,
    settings: deps.settings,
    wake,
  });
  const batch = new PrintBatch({
    db,
    events,
    log,
    users: deps.users,
    invitations: deps.invitations,
    printers,
    settings: deps.settings,
    admins: deps.admins,
    outbox: deps.notify.outbox,
    publicUrl: () => config.publicUrl,
    batchSize: config.printBatchSize,
    wake,
  });
  worker = new PrintWorker(
    { db, events, log, printers, users: deps.users, letters: deps.letters, coverFor: (job, ids) => batch.coverFor(job, ids) },
    { retrySeconds: config.printRetrySeconds, retryLimit: config.printRetryLimit },
  );
  // Every change of a job, to the admin pages that follow it (print-live.js).
  events.on("print.job.updated", (e) => deps.live.toAdmins("print.job.updated", e.job));
  deps.jobs.register({
    name: "print.batch",
    schedule: config.printBatchCron,
    leaseSeconds: 3600,
    run: () => batch.run("schedule", systemActor),
  });
  return { printers, jobs, worker, batch };
}

export { DRIVERS, SIDES } from "./drivers/driver.js";
export { PAPERS } from "./printers/printer-input.js";
export { JOB_STATUSES } from "./queue/jobs.repo.js";
