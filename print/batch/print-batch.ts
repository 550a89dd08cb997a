import type { Knex } from "knex";
import type { AdminsService } from "../../server/auth/index.js";
import { fromDbTime, nowMs } from "../../server/core/db/convert.js";
import { NotFoundError } from "../../server/core/errors.js";
import { type Actor, type DomainEvent, type EventBus, systemActor } from "../../server/core/events.js";
import type { Logger } from "../../server/core/log.js";
import type { WorkQueue } from "../../server/core/work/work-queue.js";
import type { InvitationsService } from "../../server/invitations/index.js";
import type { Outbox } from "../../server/notify/index.js";
import type { User, UsersService } from "../../server/people/index.js";
import type { SettingsService } from "../../server/settings/index.js";
import type { Printer, PrintersService } from "../printers/printers.service.js";
import type { PrintJob } from "../queue/jobs.repo.js";
import * as jobsRepo from "../queue/jobs.repo.js";
import type { CoverSheet } from "../queue/letters.js";
import * as queue from "../queue/overnight.repo.js";
import { chunkLetters } from "./batch-plan.js";
import { batchSummaryEmail } from "./batch-summary.js";

export const SUMMARY_KIND = "print-summary";

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

type Deps = {
  db: Knex;
  events: EventBus;
  log: Logger;
  users: UsersService;
  invitations: Pick<InvitationsService, "currentMany">;
  printers: PrintersService;
  settings: Pick<SettingsService, "requireSetup">;
  admins: AdminsService;
  outbox: Outbox;
  publicUrl: () => string;
  batchSize: number;
  wake: () => void;
};

type BatchRow = {
  id: number;
  trigger: string;
  started_by: string | null;
  jobs: number;
  letters: number;
  started_at: number | string;
  finished_at: number | string | null;
};
const toBatch = (r: BatchRow): Batch => ({
  id: Number(r.id),
  trigger: r.trigger,
  startedBy: r.started_by,
  jobs: Number(r.jobs),
  letters: Number(r.letters),
  startedAt: fromDbTime(r.started_at) as string,
  finishedAt: fromDbTime(r.finished_at),
});

/**
 * The overnight batch: the people waiting in the print queue become print jobs, per
 * printer (the one chosen when they were queued, else their site's default), sorted by
 * site, department and last name, at most PRINT_BATCH_SIZE letters a job, each job led by
 * a cover sheet. The PrintWorker prints them; when the last job of a batch is final, the
 * admins get a summary email (once, whichever instance sees it).
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
    const row = await this.deps.db("print_batches").where({ id }).first();
    if (!row) throw new NotFoundError(`Print batch #${id} does not exist.`);
    return toBatch(row);
  }

  async recent(limit = 10): Promise<Batch[]> {
    return (await this.deps.db("print_batches").orderBy("id", "desc").limit(limit)).map(toBatch);
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
    const [batchIdRaw] = await this.deps
      .db("print_batches")
      .insert({ trigger, started_by: actor.label.slice(0, 191), jobs: 0, letters: 0, started_at: now });
    const batchId = Number(batchIdRaw);
    const printers = await this.deps.printers.list();
    const byPrinter = new Map<number, { printer: Printer; users: User[] }>();
    const gone: number[] = [];
    let noPrinter = 0;
    const users = await this.deps.users.getMany(claimed.entries.map((e) => e.userId));
    for (const entry of claimed.entries) {
      const user = users.get(entry.userId);
      // Erased, joined or deactivated since they were queued: no letter needed.
      if (user?.status !== "pending") {
        gone.push(entry.userId);
        continue;
      }
      const printer =
        printers.find((p) => p.id === entry.printerId) ?? (await this.deps.printers.defaultFor(user.site, printers));
      if (!printer) {
        noPrinter++;
        continue;
      }
      const slot = byPrinter.get(printer.id) ?? { printer, users: [] };
      slot.users.push(user);
      byPrinter.set(printer.id, slot);
    }
    await queue.removeUsers(this.deps.db, gone);
    const deadLinks = await this.leaveOutDeadLinks(byPrinter);

    const jobIds: number[] = [];
    let letters = 0;
    for (const { printer, users } of byPrinter.values()) {
      const chunks = chunkLetters(users, this.deps.batchSize);
      await this.deps.db.transaction(async (trx) => {
        for (const [i, chunk] of chunks.entries()) {
          const ids = chunk.map((u) => u.id);
          const jobId = await jobsRepo.insertJob(trx, {
            printerId: printer.id,
            printerName: printer.name,
            kind: "batch",
            batchId,
            jobNumber: i + 1,
            jobCount: chunks.length,
            userIds: ids,
            createdBy: actor.label,
            now,
          });
          // Only while the claim still holds them all; else nothing of this printer's plan stays.
          if (!(await queue.attachClaimed(this.waiting, trx, claimed.token, ids, jobId)))
            throw new Error("The batch's hold on the print queue ran out while planning; nothing was printed twice.");
          jobIds.push(jobId);
          letters += ids.length;
        }
      });
    }
    await this.deps
      .db("print_batches")
      .where({ id: batchId })
      .update({ jobs: jobIds.length, letters, ...(jobIds.length ? {} : { finished_at: nowMs() }) });
    await this.deps.events.emit("print.batch.started", {
      actor,
      summary: `Print batch #${batchId}: ${jobIds.length} ${jobIds.length === 1 ? "job" : "jobs"}, ${letters} ${letters === 1 ? "letter" : "letters"}${noPrinter ? `; ${noPrinter} queued without a printer for their site` : ""}${deadLinks ? `; ${deadLinks} left waiting with an expired or revoked link` : ""}`,
      target: { type: "print_batch", id: batchId },
      batchId,
    });
    const jobs: PrintJob[] = [];
    for (const id of jobIds) {
      const job = jobsRepo.toJob((await jobsRepo.findJob(this.deps.db, id)) as jobsRepo.JobRow);
      jobs.push(job);
      await this.deps.events.emit("print.job.updated", {
        actor,
        summary: `Print job #${id} is queued`,
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

  /**
   * Takes out of the plan the people whose invitation link no longer works: their letter
   * would be refused, failing the job of everyone printed with them, night after night.
   * They stay in the queue. Returns how many.
   */
  private async leaveOutDeadLinks(byPrinter: Map<number, { users: User[] }>): Promise<number> {
    let left = 0;
    for (const slot of byPrinter.values()) {
      const invitations = await this.deps.invitations.currentMany(slot.users.map((u) => u.id));
      const usable = slot.users.filter((u) => invitations.get(u.id)?.state === "active");
      left += slot.users.length - usable.length;
      slot.users = usable;
    }
    for (const [id, slot] of byPrinter) if (!slot.users.length) byPrinter.delete(id);
    return left;
  }

  /** Waits until every job of the batch is final or waits for the front desk (the CLI does, so that its worker prints them). */
  async waitFor(batchId: number, pollMs = 500): Promise<PrintJob[]> {
    for (;;) {
      const jobs = (await jobsRepo.listJobs(this.deps.db, { batchId, limit: 10_000 })).map(jobsRepo.toJob).reverse();
      if (jobs.every((j) => jobsRepo.SETTLED_STATUSES.includes(j.status))) return jobs;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  /** The cover sheet that leads a batch job: the batch, the printer, the count and the names in order. */
  async coverFor(job: PrintJob, userIds: number[]): Promise<CoverSheet | undefined> {
    if (job.kind !== "batch" || job.batchId === null) return undefined;
    const batch = await this.get(job.batchId);
    const printer = job.printerId ? await this.deps.printers.get(job.printerId).catch(() => null) : null;
    const people: CoverSheet["people"] = [];
    for (const id of userIds) {
      const u = await this.deps.users.get(id);
      people.push({ firstName: u.firstName, lastName: u.lastName, department: u.department, site: u.site });
    }
    return {
      title: `Overnight batch #${batch.id}`,
      printerName: job.printerName,
      site: printer?.site ?? null,
      createdAt: new Date(batch.startedAt),
      jobNumber: job.jobNumber,
      jobCount: job.jobCount,
      people,
    };
  }

  private async onJobFinal(e: DomainEvent): Promise<void> {
    const batchId = typeof e.batchId === "number" ? e.batchId : null;
    if (batchId === null) return;
    const open = await this.deps
      .db("print_jobs")
      .where({ batch_id: batchId })
      .whereIn("status", ["queued", "processing"])
      .count({ n: "*" })
      .first();
    if (Number(open?.n ?? 0) > 0) return;
    // Only the instance that closes the batch sends the summary.
    const closed = await this.deps
      .db("print_batches")
      .where({ id: batchId })
      .whereNull("finished_at")
      .update({ finished_at: nowMs() });
    if (Number(closed) !== 1) return;
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
      summary: `Print batch #${batchId} finished: ${jobs.length - failed} of ${jobs.length} ${jobs.length === 1 ? "job" : "jobs"} printed; summary sent to ${admins.length} ${admins.length === 1 ? "admin" : "admins"}`,
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
    const invitations = await this.deps.invitations.currentMany(waiting);
    const dead = waiting.filter((id) => invitations.get(id)?.state !== "active");
    const users = await this.deps.users.getMany(dead.slice(0, shown));
    const people = dead.flatMap((id) => {
      const user = users.get(id);
      return user ? [{ id, name: `${user.firstName} ${user.lastName}`.trim() }] : [];
    });
    return { total: dead.length, people };
  }

  private async countWithoutPrinter(): Promise<number> {
    const printers = await this.deps.printers.list();
    let n = 0;
    for (const entry of await queue.waiting(this.deps.db)) {
      if (printers.some((p) => p.id === entry.printerId)) continue;
      const user = await this.deps.users.get(entry.userId).catch(() => null);
      if (user && !(await this.deps.printers.defaultFor(user.site, printers))) n++;
    }
    return n;
  }
}
