import path from "node:path";
import express, { Router } from "express";
import type { Knex } from "knex";
import type { AdminsService } from "../server/auth/index.js";
import type { ApiKeyLookup } from "../server/core/auth/principals.js";
import type { Config } from "../server/core/config.js";
import { type EventBus, systemActor } from "../server/core/events.js";
import type { Feature } from "../server/core/feature.js";
import type { Check } from "../server/core/http/health.js";
import type { Job } from "../server/core/jobs/registry.js";
import type { Live } from "../server/core/live/live.js";
import type { Logger } from "../server/core/log.js";
import { PROJECT_ROOT } from "../server/core/root.js";
import type { AddressPolicy } from "../server/core/security/address-policy.js";
import type { InvitationsService } from "../server/invitations/index.js";
import type { BulkTarget, Outbox } from "../server/notify/index.js";
import type { Facets, GroupsService, User, UsersService } from "../server/people/index.js";
import type { SettingsService } from "../server/settings/index.js";
import { printBatchCommand } from "./batch/batch.cli.js";
import { PrintBatch } from "./batch/batch.service.js";
import { createDrivers } from "./drivers/drivers.js";
import { letterEligibility } from "./letter/eligibility.js";
import { LetterService, type LogoSource } from "./letter/letter.service.js";
import { letterPages } from "./letter/letter-pages.routes.js";
import { lettersApi } from "./letter/letters.api.js";
import { printersApi } from "./printers/printers.api.js";
import { printerPages } from "./printers/printers.routes.js";
import { PrintersService } from "./printers/printers.service.js";
import * as jobsRepo from "./queue/jobs.repo.js";
import { printingProfileExtras } from "./queue/print.profile.js";
import { printPages } from "./queue/print.routes.js";
import { printJobsApi } from "./queue/print-jobs.api.js";
import { PrintJobsService } from "./queue/print-jobs.service.js";
import { sayPrintText } from "./queue/print-words.js";
import { PrintWorker } from "./queue/print-worker.js";

/** What the print feature needs from the core and from other features. */
export type PrintDeps = {
  /** Read when used: `publicUrl` is known only once the server listens. */
  config: Pick<Config, "secretKey" | "publicUrl" | "printBatchCron" | "printBatchSize" | "printRetrySeconds" | "printRetryLimit">;
  log: Logger;
  db: Knex;
  events: EventBus;
  live: Pick<Live, "toAdmins">;
  apiKeys: ApiKeyLookup;
  addresses: AddressPolicy;
  users: Pick<UsersService, "get" | "getMany">;
  groups: Pick<GroupsService, "get" | "members">;
  facets: Pick<Facets, "values">;
  /** Who may be sent an invitation: the one rule, invitations'. */
  invitations: Pick<InvitationsService, "eligibility">;
  settings: Pick<SettingsService, "get" | "requireSetup">;
  /** The organization's logo, on every letter. */
  branding: LogoSource;
  admins: Pick<AdminsService, "list">;
  notify: {
    /** The batch's summary email to the admins. */
    outbox: Pick<Outbox, "enqueue">;
    /** The bulk invite's people no email or SMS reaches, for "Print their letters tonight". */
    unreachableIds: (target: BulkTarget, max: number) => Promise<number[]>;
    /** `cli print batch` runs the outbox while it waits, so that the summary goes out. */
    start(): void;
    stop(ms?: number): Promise<void>;
  };
};

/**
 * The print station, built once per process: its services (`jobs` is the print jobs
 * service), the profile page's section, and `feature`, what it adds to the service (the
 * scheduled "print.batch" job among it, for the root to register).
 */
export type Print = ReturnType<typeof createPrint>;

/** Deadline of one request to a printer (the ipp package has none). */
const PRINTER_TIMEOUT_MS = 15_000;

/**
 * Paper invitations: letters as PDF, printers, print jobs and the worker that sends them,
 * the overnight batch. The path runs one way: the batch (or "print now") plans jobs with
 * their letters and cover sheet stored on them; the worker prints what is stored.
 */
export function createPrint(deps: PrintDeps) {
  const { config, db, events, log } = deps;
  // Who may get a letter: one check for every step of the path (letter/eligibility.ts).
  const eligibility = letterEligibility(deps.invitations);
  const letters = new LetterService({ eligibility, settings: deps.settings, branding: deps.branding });
  const printers = new PrintersService({
    db,
    events,
    secretKey: config.secretKey,
    drivers: createDrivers({ timeoutMs: PRINTER_TIMEOUT_MS }),
    addresses: deps.addresses,
    activeJobs: (id) => jobsRepo.countActiveForPrinter(db, id),
  });
  const worker = new PrintWorker(
    { db, events, log, printers, letters, eligibility },
    { retrySeconds: config.printRetrySeconds, retryLimit: config.printRetryLimit },
  );
  const wake = () => worker.kick();
  const jobs = new PrintJobsService({ db, events, eligibility, printers, settings: deps.settings, wake });
  const batch = new PrintBatch({
    db,
    events,
    log,
    users: deps.users,
    eligibility,
    printers,
    settings: deps.settings,
    admins: deps.admins,
    outbox: deps.notify.outbox,
    publicUrl: () => config.publicUrl,
    batchSize: config.printBatchSize,
    wake,
  });
  // Every change of a job, to the admin pages that follow it (print/public/print-live.js).
  events.on("print.job.updated", (e) => deps.live.toAdmins("print.job.updated", e.job));

  const letterHttp = { letters, settings: deps.settings, groups: deps.groups, users: deps.users, events };
  const batchJob: Job = {
    name: "print.batch",
    schedule: config.printBatchCron,
    leaseSeconds: 3600,
    run: () => batch.run("schedule", systemActor),
  };
  const feature: Feature = {
    name: "print",
    // The browser script of the print pages, beside the core's assets.
    open: [Router().use("/assets", express.static(path.join(PROJECT_ROOT, "print/public"), { maxAge: "1h", index: false }))],
    // A job's stored error and history lines, in the reader's language (print-words.ts).
    pageLocals: [
      (req, res, next) => {
        res.locals.sayPrint = (text: string | null | undefined) => sayPrintText(req.t, text);
        next();
      },
    ],
    api: [
      lettersApi({ ...letterHttp, apiKeys: deps.apiKeys }),
      printersApi({ apiKeys: deps.apiKeys, printers }),
      printJobsApi({ apiKeys: deps.apiKeys, users: deps.users, printers, jobs, batch }),
    ],
    pages: [
      letterPages(letterHttp),
      printPages({
        db,
        users: deps.users,
        groups: deps.groups,
        printers,
        jobs,
        batch,
        unreachableIds: deps.notify.unreachableIds,
        printBatchCron: config.printBatchCron,
        printBatchSize: config.printBatchSize,
      }),
      printerPages({ printers, jobs, batch, facets: deps.facets, printBatchCron: config.printBatchCron }),
    ],
    cli: { "print batch": printBatchCommand({ worker, batch, notify: deps.notify }) },
    jobs: [batchJob],
    // "Print now" must not wait for the scheduler.
    workers: [{ name: "print", start: () => worker.start(), stop: (ms) => worker.stop(ms) }],
    // After the print worker: a job it was rendering has had its time to finish.
    close: () => letters.stop(),
  };
  /** The paper-invitation section of a person's profile (the root adds it to the profile page). */
  const profile: (user: User) => Promise<Record<string, unknown>> = printingProfileExtras({ printers, jobs });
  /** For /metrics: print jobs by state and letters printed by printer, counted at scrape time. */
  const figures = {
    printJobsByState: () => jobsRepo.countByState(db),
    lettersPrintedByPrinter: () => jobsRepo.lettersPrintedByPrinter(db),
  };
  /** For /readyz: an instance warming its renderer (LETTERS_WARM_UP) is not ready yet. */
  const checks = {
    letters: async (): Promise<Check> => (letters.warming() ? { status: "starting", warming: true } : { status: "ok" }),
  };
  // The services apart from the Feature: `jobs` is the print jobs here, the scheduled jobs there.
  return { printers, jobs, worker, batch, letters, profile, figures, checks, feature };
}

export { DRIVERS, SIDES } from "./drivers/driver.js";
export { PAPERS } from "./printers/printers.schema.js";
export { JOB_STATUSES, type PrintJob, SPOOLED } from "./queue/print-jobs.types.js";
