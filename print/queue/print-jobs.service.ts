import type { Knex } from "knex";
import { nowMs } from "../../server/core/db/convert.js";
import { ConflictError, NotFoundError, ValidationError } from "../../server/core/errors.js";
import { type Actor, type EventBus, says } from "../../server/core/events.js";
import { message } from "../../server/core/message.js";
import type { User } from "../../server/people/index.js";
import type { SettingsService } from "../../server/settings/index.js";
import type { EligibilityCheck } from "../letter/eligibility.js";
import type { PrintersService } from "../printers/printers.service.js";
import * as jobsRepo from "./jobs.repo.js";
import * as queue from "./overnight.repo.js";
import { type HistoryEntry, type PrintJob, plannedLetter } from "./print-jobs.types.js";

export type { PrintJob } from "./print-jobs.types.js";

/** Letters per print job asked for at once (a selection); larger sets go through the batch. */
export const MAX_PRINT_NOW = 200;
export const MAX_QUEUE_AT_ONCE = 5000;

type Deps = {
  db: Knex;
  events: EventBus;
  /** Who may get a letter (see letter/eligibility.ts). */
  eligibility: EligibilityCheck;
  printers: PrintersService;
  /** Letters carry the organization's and the app's names: no printing before the set-up. */
  settings: Pick<SettingsService, "requireSetup">;
  /** The worker should look now: a job was made or is to be printed again. */
  wake: () => void;
};

/**
 * Print jobs and the overnight queue: who may get a paper invitation (pending people
 * only), which printer it goes to, and what the pages and the API see of each job. The
 * PrintWorker sends the jobs; the batch turns the queue into jobs.
 */
export class PrintJobsService {
  constructor(private deps: Deps) {}

  async get(id: number): Promise<PrintJob> {
    const row = await jobsRepo.findJob(this.deps.db, id);
    if (!row) throw new NotFoundError(message("errors:print.jobNotFound", { id }));
    return jobsRepo.toJob(row);
  }

  async list(filter: { batchId?: number; limit?: number; userId?: number } = {}): Promise<PrintJob[]> {
    return (await jobsRepo.listJobs(this.deps.db, filter)).map(jobsRepo.toJob);
  }

  people(jobId: number): Promise<number[]> {
    return jobsRepo.jobPeople(this.deps.db, jobId);
  }

  /** Prints the people's letters now, in one job on the printer; 409 when one of them is not pending. */
  async printNow(printerId: number, userIds: number[], actor: Actor): Promise<PrintJob> {
    if (userIds.length > MAX_PRINT_NOW) {
      throw new ValidationError({ userIds: message("errors:print.tooManyNow", { max: MAX_PRINT_NOW }) });
    }
    await this.deps.settings.requireSetup();
    const printer = await this.printerFor(printerId);
    const people = await this.pendingPeople(userIds);
    const now = nowMs();
    const id = await this.deps.db.transaction((trx) =>
      jobsRepo.insertJob(trx, {
        printerId: printer.id,
        printerName: printer.name,
        kind: "now",
        batchId: null,
        jobNumber: 1,
        jobCount: 1,
        letters: people.map(plannedLetter),
        cover: null,
        createdBy: actor.label,
        now,
      }),
    );
    const job = await this.get(id);
    await this.announce(
      "print.job.created",
      job,
      actor,
      says("printJobCreated", { id, n: userIds.length, printerId: printer.id }),
      userIds,
    );
    this.deps.wake();
    return job;
  }

  /** Queues the people for the overnight batch, on `printerId` or (null) their site's default printer. */
  async queueTonight(printerId: number | null, userIds: number[], actor: Actor, opts: { skipNotPending?: boolean } = {}) {
    if (userIds.length > MAX_QUEUE_AT_ONCE)
      throw new ValidationError({ userIds: message("errors:print.tooManyQueued", { max: MAX_QUEUE_AT_ONCE }) });
    await this.deps.settings.requireSetup();
    if (printerId !== null) await this.printerFor(printerId);
    let ids = userIds;
    let skipped = 0;
    if (opts.skipNotPending) {
      const pending = await this.pendingOnly(userIds);
      skipped = userIds.length - pending.length;
      ids = pending;
    } else {
      await this.pendingPeople(userIds);
    }
    if (ids.length) await queue.enqueue(this.deps.db, ids, printerId, actor.label, nowMs());
    await this.deps.events.emit("print.queued", {
      actor,
      ...says("printQueued", { n: ids.length, hasPrinter: printerId ? "yes" : "no", printerId: printerId ?? "" }),
      ...(ids.length === 1 ? { target: { type: "user", id: ids[0] as number } } : {}),
      printerId,
      count: ids.length,
    });
    return { queued: ids.length, skipped };
  }

  async dequeue(userId: number, actor: Actor): Promise<void> {
    const entry = await queue.entryFor(this.deps.db, userId);
    if (!entry) throw new NotFoundError(message("errors:print.notQueued", { id: userId }));
    if (entry.jobId) throw new ConflictError(message("errors:print.beingPrinted", { id: userId, jobId: entry.jobId }));
    await queue.remove(this.deps.db, userId);
    await this.deps.events.emit("print.dequeued", {
      actor,
      ...says("printDequeued", { userId }),
      target: { type: "user", id: userId },
      userId,
    });
  }

  queueEntry(userId: number) {
    return queue.entryFor(this.deps.db, userId);
  }

  waitingCount(): Promise<number> {
    return queue.countWaiting(this.deps.db);
  }

  /** Cancels a job that has not gone to the printer yet (a batch job's people wait for the next night). */
  async cancel(id: number, actor: Actor): Promise<PrintJob> {
    // With its people back in the queue in the same transaction, as the worker's own endings.
    const canceled = await this.deps.db.transaction(async (trx) => {
      if (!(await jobsRepo.cancelQueued(trx, id, `Canceled by ${actor.label}`, nowMs()))) return false;
      await queue.detach(trx, id);
      return true;
    });
    const job = await this.get(id);
    if (!canceled)
      throw new ConflictError(
        message("errors:print.notCancelable", { id, status: job.status, sent: job.status === "queued" ? "yes" : "no" }),
      );
    await this.announce("print.job.canceled", job, actor, says("printJobCanceled", { id }));
    return job;
  }

  /**
   * The front desk's decision on a job the printer could not account for: "reprint" sends
   * it again as a new attempt (whoever joined since is left out then); "printed" records it
   * as printed and takes its people out of the queue. Written to the job's history.
   */
  async decide(id: number, decision: "reprint" | "printed", actor: Actor): Promise<PrintJob> {
    if (decision !== "reprint" && decision !== "printed")
      throw new ValidationError({ decision: message("errors:print.decisionInvalid") });
    const now = nowMs();
    const done = await this.deps.db.transaction(async (trx) => {
      if (!(await jobsRepo.decideUnconfirmed(trx, id, decision, now))) return false;
      if (decision === "printed") await queue.removeUsers(trx, await jobsRepo.jobPeople(trx, id));
      await jobsRepo.addHistory(trx, id, {
        kind: decision === "reprint" ? "decided-reprint" : "decided-printed",
        summary: decision === "reprint" ? `${actor.label} chose to print it again.` : `${actor.label} marked it as printed.`,
        actor: actor.label,
      });
      return true;
    });
    const job = await this.get(id);
    if (!done) throw new ConflictError(message("errors:print.nothingToDecide", { id, status: job.status }));
    const summary = says(decision === "reprint" ? "printJobReprint" : "printJobMarkedPrinted", { id });
    await this.announce(decision === "reprint" ? "print.job.reprint" : "print.job.completed", job, actor, summary);
    if (decision === "reprint") this.deps.wake();
    return job;
  }

  history(id: number): Promise<HistoryEntry[]> {
    return jobsRepo.history(this.deps.db, id);
  }

  /** The jobs waiting for the front desk's decision, newest last, with their people's ids. */
  async unconfirmed(): Promise<Array<{ job: PrintJob; userIds: number[] }>> {
    const rows = await jobsRepo.unconfirmedJobs(this.deps.db);
    return Promise.all(
      rows.map(async (r) => ({ job: jobsRepo.toJob(r), userIds: await jobsRepo.jobPeople(this.deps.db, r.id) })),
    );
  }

  activeForPrinter(printerId: number): Promise<number> {
    return jobsRepo.countActiveForPrinter(this.deps.db, printerId);
  }

  private async printerFor(printerId: number) {
    try {
      return await this.deps.printers.get(printerId);
    } catch (err) {
      if (err instanceof NotFoundError)
        throw new ValidationError({ printerId: message("errors:print.noSuchPrinter", { id: printerId }) });
      throw err;
    }
  }

  /**
   * Every person must exist (400) and be pending (409), with a link that works (409): a paper
   * invitation is for people who have not joined. The first refused person is named.
   */
  private async pendingPeople(userIds: number[]): Promise<User[]> {
    if (!userIds.length) throw new ValidationError({ userIds: message("errors:print.choosePerson") });
    const checked = await this.deps.eligibility(userIds);
    const users: User[] = [];
    for (const id of userIds) {
      const e = checked.get(id);
      if (!e || e.state === "unknown") throw new ValidationError({ userIds: message("errors:print.personMissing", { id }) });
      if (e.state === "not-pending" && e.user.status === "active")
        throw new ConflictError(message("errors:print.joined", { id }), { type: "user", id });
      if (e.state === "not-pending") {
        throw new ConflictError(message("errors:print.deactivated", { id }), {
          type: "user",
          id,
        });
      }
      // The letter shows the current link; it never makes a new one behind the admin's back.
      if (e.state === "dead-link") {
        throw new ConflictError(message("errors:print.deadLink", { id, state: e.invitation.state }), { type: "user", id });
      }
      users.push(e.user);
    }
    return users;
  }

  /** The pending ones of these people, in order (a dead link does not keep anyone out of the queue). */
  private async pendingOnly(userIds: number[]): Promise<number[]> {
    const checked = await this.deps.eligibility(userIds);
    return userIds.filter((id) => {
      const state = checked.get(id)?.state;
      return state === "eligible" || state === "dead-link";
    });
  }

  private async announce(name: string, job: PrintJob, actor: Actor, summary: ReturnType<typeof says>, userIds?: number[]) {
    await this.deps.events.emit(name, {
      actor,
      ...summary,
      target: userIds?.length === 1 ? { type: "user", id: userIds[0] as number } : { type: "print_job", id: job.id },
      printJobId: job.id,
      printerId: job.printerId,
      batchId: job.batchId,
    });
    await this.deps.events.emit("print.job.updated", {
      actor,
      ...says("printJobState", { id: job.id, status: job.status, hasState: "no", printerState: "" }),
      job,
      printJobId: job.id,
      printerId: job.printerId,
    });
  }
}
