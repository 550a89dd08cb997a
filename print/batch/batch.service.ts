import type { Knex } from "knex";
import type { AdminsService } from "../../server/auth/index.js";
import { nowMs } from "../../server/core/db/convert.js";
import { againOnDeadlock } from "../../server/core/db/deadlock.js";
import { NotFoundError } from "../../server/core/errors.js";
import { type Actor, type DomainEvent, type EventBus, says, systemActor } from "../../server/core/events.js";
import type { Logger } from "../../server/core/log.js";
import { message } from "../../server/core/message.js";
import type { WorkQueue } from "../../server/core/work/work-queue.js";
import type { Outbox } from "../../server/notify/index.js";
import type { User, UsersService } from "../../server/people/index.js";
import type { SettingsService } from "../../server/settings/index.js";
import type { EligibilityCheck } from "../letter/eligibility.js";
import type { Printer, PrintersService } from "../printers/printers.service.js";
import * as jobsRepo from "../queue/jobs.repo.js";
import * as queue from "../queue/overnight.repo.js";
import type { PrintJob } from "../queue/print-jobs.types.js";
import { plannedLetter, SETTLED_STATUSES } from "../queue/print-jobs.types.js";
import type { Batch, BatchRun } from "./batch.types.js";
import { chunkLetters } from "./batch-plan.js";
import { batchSummaryEmail } from "./batch-summary.js";
import * as batchesRepo from "./batches.repo.js";

export type { Batch, BatchRun } from "./batch.types.js";

const SUMMARY_KIND = "print-summary";

type Deps = {
  db: Knex;
  events: EventBus;
  log: Logger;
  users: Pick<UsersService, "getMany">;
  /** Who may get a letter (see letter/eligibility.ts): checked once per person when planning. */
  eligibility: EligibilityCheck;
  printers: PrintersService;
  settings: Pick<SettingsService, "requireSetup">;
  admins: Pick<AdminsService, "list">;
  outbox: Pick<Outbox, "enqueue">;
  publicUrl: () => string;
  batchSize: number;
  /** The worker should look now: the plan made jobs. */
  wake: () => void;
};

/**
 * The overnight batch: the people waiting in the print queue become print jobs, per
 * printer (the one chosen when they were queued, else their site's default), sorted by
 * site, department and last name, at most PRINT_BATCH_SIZE letters a job, each job led by
 * a cover sheet. Each job is stored with its plan (the letters' words and the cover sheet),
 * and the PrintWorker prints it from that, never asking the batch again. When the last job
 * of a batch is final (the worker's events say so), the admins get a summary email (once,
 * whichever instance sees it).
 */
/** How long a run may hold the people it plans; planning takes seconds even for thousands. */
const PLAN_LEASE_MS = 10 * 60_000;

export class PrintBatch {
  private readonly waiting: WorkQueue;

  constructor(private deps: Deps) {
    this.waiting = queue.overnightQueue(deps.db);
    for (const name of ["print.job.completed", "print.job.failed", "print.job.canceled"]) {
      deps.events.on(name, (e) => this.onJobFinal(e));
    }
  }

  async get(id: number): Promise<Batch> {
    const batch = await batchesRepo.findBatch(this.deps.db, id);
    if (!batch) throw new NotFoundError(message("errors:print.batchNotFound", { id }));
    return batch;
  }

  recent(limit = 10): Promise<Batch[]> {
    return batchesRepo.recentBatches(this.deps.db, limit);
  }

  /**
   * Plans the batch now and hands its jobs to the worker; returns the jobs it started.
   * The people it plans are claimed first (see overnight.repo.ts): a second run at the same
   * time, on this instance or another, finds them taken and plans nobody twice.
   */
  async run(trigger: "schedule" | "button" | "api" | "cli", actor: Actor): Promise<BatchRun> {
    // Before anything is recorded: the queue waits, untouched, until the set-up is done.
    await this.deps.settings.requireSetup();
    const now = nowMs();
    const claimed = await queue.claimWaiting(this.waiting, PLAN_LEASE_MS);
    try {
      return await this.plan(claimed, trigger, actor, now);
    } finally {
      // Whoever the plan left waiting (no printer, a dead link) is free for the next run.
      await this.waiting
        .release(claimed.token)
        .catch((err) => this.deps.log.warn({ err }, "could not let go of the people a batch left waiting"));
    }
  }

  private async plan(
    claimed: { token: string; entries: queue.QueueEntry[] },
    trigger: string,
    actor: Actor,
    now: number,
  ): Promise<BatchRun> {
    const batchId = await batchesRepo.insertBatch(this.deps.db, { trigger, startedBy: actor.label, now });
    const printers = await this.deps.printers.list();
    const byPrinter = new Map<number, { printer: Printer; users: User[] }>();
    const gone: number[] = [];
    let noPrinter = 0;
    let deadLinks = 0;
    // The one check per person (see letter/eligibility.ts); the worker asks again only before it sends.
    const checked = await this.deps.eligibility(claimed.entries.map((e) => e.userId));
    for (const entry of claimed.entries) {
      const e = checked.get(entry.userId);
      // Erased, joined or deactivated since they were queued: no letter needed.
      if (!e || e.state === "unknown" || e.state === "not-pending") {
        gone.push(entry.userId);
        continue;
      }
      const { user } = e;
      const printer =
        printers.find((p) => p.id === entry.printerId) ?? (await this.deps.printers.defaultFor(user.site, printers));
      if (!printer) {
        noPrinter++;
        continue;
      }
      // A dead link: their letter would be refused, failing the job of everyone printed with
      // them, night after night. They stay in the queue until someone makes them a new link.
      if (e.state === "dead-link") {
        deadLinks++;
        continue;
      }
      const slot = byPrinter.get(printer.id) ?? { printer, users: [] };
      slot.users.push(user);
      byPrinter.set(printer.id, slot);
    }
    await queue.removeUsers(this.deps.db, gone);

    const jobIds: number[] = [];
    let letters = 0;
    for (const { printer, users } of byPrinter.values()) {
      const chunks = chunkLetters(users, this.deps.batchSize);
      // One printer's plan is one transaction, run again whole if InnoDB picks it as a deadlock victim.
      const planned = await againOnDeadlock(() =>
        this.deps.db.transaction(async (trx) => {
          const ids: number[] = [];
          let count = 0;
          for (const [i, chunk] of chunks.entries()) {
            const people = chunk.map((u) => u.id);
            const jobId = await jobsRepo.insertJob(trx, {
              printerId: printer.id,
              printerName: printer.name,
              kind: "batch",
              batchId,
              jobNumber: i + 1,
              jobCount: chunks.length,
              letters: chunk.map(plannedLetter),
              cover: {
                title: `Overnight batch #${batchId}`,
                printerName: printer.name,
                site: printer.site,
                createdAt: new Date(now),
              },
              createdBy: actor.label,
              now,
            });
            // Only while the claim still holds them all; else nothing of this printer's plan stays.
            if (!(await queue.attachClaimed(this.waiting, trx, claimed.token, people, jobId)))
              throw new Error("The batch's hold on the print queue ran out while planning; nothing was printed twice.");
            ids.push(jobId);
            count += people.length;
          }
          return { ids, count };
        }),
      );
      jobIds.push(...planned.ids);
      letters += planned.count;
    }
    await batchesRepo.recordPlan(this.deps.db, batchId, {
      jobs: jobIds.length,
      letters,
      finishedAt: jobIds.length ? null : nowMs(),
    });
    await this.deps.events.emit("print.batch.started", {
      actor,
      ...says("printBatchPlanned", { id: batchId, jobs: jobIds.length, letters, noPrinter, deadLinks }),
      target: { type: "print_batch", id: batchId },
      batchId,
    });
    const jobs: PrintJob[] = [];
    for (const id of jobIds) {
      const job = jobsRepo.toJob((await jobsRepo.findJob(this.deps.db, id)) as jobsRepo.JobRow);
      jobs.push(job);
      await this.deps.events.emit("print.job.updated", {
        actor,
        ...says("printJobState", { id, status: "queued", hasState: "no", printerState: "" }),
        target: { type: "print_job", id },
        job,
        printJobId: id,
        printerId: job.printerId,
      });
    }
    if (!jobIds.length && (noPrinter || deadLinks)) await this.sendSummary(batchId);
    this.deps.wake();
    return { batch: await this.get(batchId), jobs, noPrinter, deadLinks };
  }

  /** Waits until every job of the batch is final or waits for the front desk (the CLI does, so that its worker prints them). */
  async waitFor(batchId: number, pollMs = 500): Promise<PrintJob[]> {
    for (;;) {
      const jobs = (await jobsRepo.listJobs(this.deps.db, { batchId, limit: 10_000 })).map(jobsRepo.toJob).reverse();
      if (jobs.every((j) => SETTLED_STATUSES.includes(j.status))) return jobs;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  private async onJobFinal(e: DomainEvent): Promise<void> {
    const batchId = typeof e.batchId === "number" ? e.batchId : null;
    if (batchId === null) return;
    if ((await jobsRepo.countOpenInBatch(this.deps.db, batchId)) > 0) return;
    // Only the instance that closes the batch sends the summary.
    if (!(await batchesRepo.closeBatch(this.deps.db, batchId, nowMs()))) return;
    await this.sendSummary(batchId);
  }

  private async sendSummary(batchId: number): Promise<void> {
    const batch = await this.get(batchId);
    const jobs = (await jobsRepo.listJobs(this.deps.db, { batchId, limit: 10_000 })).map(jobsRepo.toJob).reverse();
    const stillQueued = await queue.countWaiting(this.deps.db);
    const noPrinter = await this.countWithoutPrinter();
    const deadLinks = (await this.waitingWithDeadLinks(0)).total;
    const mail = batchSummaryEmail(
      { batchId, startedAt: new Date(batch.startedAt), jobs, stillQueued, noPrinter, deadLinks },
      this.deps.publicUrl(),
    );
    const admins = (await this.deps.admins.list()).filter((a) => a.role === "admin" && !a.disabledAt);
    for (const admin of admins) {
      await this.deps.outbox.enqueue({
        kind: SUMMARY_KIND,
        channel: "email",
        userId: null,
        recipient: admin.email,
        payload: { ...mail, attachments: [] },
        createdBy: `print batch #${batchId}`,
      });
    }
    const failed = jobs.filter((j) => j.status !== "completed").length;
    await this.deps.events.emit("print.batch.finished", {
      actor: systemActor,
      ...says("printBatchFinished", {
        id: batchId,
        printed: jobs.length - failed,
        jobs: jobs.length,
        admins: admins.length,
      }),
      target: { type: "print_batch", id: batchId },
      batchId,
    });
  }

  /**
   * The people waiting in the queue whose invitation link expired or was revoked (the batch
   * leaves them waiting): how many, and the first `shown` of them by name, for the page.
   */
  async waitingWithDeadLinks(shown = 20): Promise<{ total: number; people: Array<{ id: number; name: string }> }> {
    const waiting = (await queue.waiting(this.deps.db)).map((e) => e.userId);
    const checked = await this.deps.eligibility(waiting);
    const dead = waiting.flatMap((id) => {
      const e = checked.get(id);
      return e?.state === "dead-link" ? [{ id, name: `${e.user.firstName} ${e.user.lastName}`.trim() }] : [];
    });
    return { total: dead.length, people: dead.slice(0, shown) };
  }

  private async countWithoutPrinter(): Promise<number> {
    const printers = await this.deps.printers.list();
    const entries = (await queue.waiting(this.deps.db)).filter((e) => !printers.some((p) => p.id === e.printerId));
    const users = await this.deps.users.getMany(entries.map((e) => e.userId));
    let n = 0;
    for (const entry of entries) {
      const user = users.get(entry.userId);
      if (user && !(await this.deps.printers.defaultFor(user.site, printers))) n++;
    }
    return n;
  }
}
