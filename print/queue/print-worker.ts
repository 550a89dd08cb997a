import { createHash, randomBytes } from "node:crypto";
import type { Knex } from "knex";
import { nowMs } from "../../server/core/db/convert.js";
import { AppError, NotFoundError } from "../../server/core/errors.js";
import { type EventBus, says, systemActor } from "../../server/core/events.js";
import type { Logger } from "../../server/core/log.js";
import type { WorkQueue } from "../../server/core/work/work-queue.js";
import type { InvitationView } from "../../server/invitations/index.js";
import type { JobState, PrinterDriver, PrinterMemory, PrinterTarget } from "../drivers/driver.js";
import { PrintError } from "../drivers/print-error.js";
import type { EligibilityCheck } from "../letter/eligibility.js";
import { letterEntry } from "../letter/letter.service.js";
import { InvitationUnusableError } from "../letter/letter-errors.js";
import type { PrintersService } from "../printers/printers.service.js";
import type { JobRow } from "./jobs.repo.js";
import * as jobsRepo from "./jobs.repo.js";
import type { CoverSheet, LetterRenderer } from "./letters.js";
import * as queue from "./overnight.repo.js";
import type { PlannedLetter, PrintJob } from "./print-jobs.types.js";
import { SPOOLED } from "./print-jobs.types.js";
import { judgeMissingJob, type Verdict } from "./reconcile.js";

export type WorkerOptions = {
  /** PRINT_RETRY_SECONDS and PRINT_RETRY_LIMIT. */
  retrySeconds: number;
  retryLimit: number;
  /** How often the table is looked at for jobs queued elsewhere. */
  pollMs?: number;
  /** How often a job's state is asked of the printer while it prints. */
  monitorMs?: number;
  /** A claim's lease; renewed while the job is handled, so only a dead instance's claim runs out. */
  leaseMs?: number;
};

type Deps = {
  db: Knex;
  events: EventBus;
  log: Logger;
  printers: PrintersService;
  letters: LetterRenderer;
  /** Who still needs their letter, and their current link (see letter/eligibility.ts). */
  eligibility: EligibilityCheck;
};

class Stopping extends Error {}

/**
 * Sends print jobs to their printers, in this process, one job at a time per printer, in
 * the order they were made. A job is printed from what its plan stored (the batch or "print
 * now" made it): its letters in order and, for a batch job, its cover sheet. Before each
 * send the people are checked once more, the one way (see letter/eligibility.ts): whoever
 * joined or was deactivated since leaves the job, and the letters carry the current links.
 *
 * What makes it safe against crashes and several instances: a job is claimed through the
 * work queue before anything is done with it; before each send the attempt's unique
 * job-name is saved with what the printer said of its own start (phase "sending"), and
 * once the printer accepts the document its job id (phase "sent"). A job found abandoned
 * (its lease ran out, or a stop let go of it) is reconciled on the printer's evidence,
 * never by guess (see reconcile.ts): a job in "sent" is followed by its id; one in
 * "sending" is looked for by name in the printer's lists. A job the printer no longer
 * knows is judged from whether the printer restarted since and how far back it remembers:
 * printed, never received (sent again), or — when the evidence cannot decide —
 * "unconfirmed", for the front desk to print again or mark as printed. Every verdict and
 * its evidence go to the job's history.
 *
 * A busy, stopped or unreachable printer is retried `retryLimit` times `retrySeconds`
 * apart; then the job fails with the printer's reason (a batch job's people stay queued).
 */
export class PrintWorker {
  private readonly queue: WorkQueue;
  private readonly pollMs: number;
  private readonly monitorMs: number;
  private readonly leaseMs: number;
  private busyPrinters = new Set<number>();
  private inFlight = new Map<number, Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private stopping = false;
  private scanning: Promise<void> | null = null;
  private again = false;

  constructor(
    private deps: Deps,
    private opts: WorkerOptions,
  ) {
    this.pollMs = opts.pollMs ?? 5_000;
    this.monitorMs = opts.monitorMs ?? 1_000;
    this.leaseMs = opts.leaseMs ?? 120_000;
    this.queue = jobsRepo.jobsQueue(deps.db);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    this.schedule(0);
  }

  /** Something became due (a job was made): look now rather than at the next poll. */
  kick(): void {
    if (this.started && !this.stopping) this.schedule(0);
  }

  /**
   * Stops taking jobs; sends in progress finish and are recorded (up to `ms`), jobs being
   * followed at the printer are handed back with their state, for the next start.
   */
  async stop(ms = 5_000): Promise<void> {
    this.stopping = true;
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await Promise.race([
      Promise.allSettled([this.scanning, ...this.inFlight.values()]),
      new Promise((r) => setTimeout(r, ms).unref()),
    ]);
    await this.queue.releaseAll().catch((err) => this.deps.log.warn({ err }, "could not hand back print jobs"));
  }

  private schedule(ms: number) {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.scan();
    }, ms);
    this.timer.unref?.();
  }

  private async scan(): Promise<void> {
    if (this.scanning) {
      this.again = true;
      return;
    }
    this.scanning = (async () => {
      try {
        do {
          this.again = false;
          await this.claimDue();
        } while (this.again && !this.stopping);
      } catch (err) {
        this.deps.log.warn({ err }, "print worker could not look for jobs");
      }
    })();
    await this.scanning;
    this.scanning = null;
    if (this.started && !this.stopping) this.schedule(this.pollMs);
  }

  /** Each printer's oldest unfinished job, when it is due and this process is not printing on that printer. */
  private async claimDue(): Promise<void> {
    const now = nowMs();
    const firstPerPrinter = new Map<number | null, JobRow>();
    for (const row of await jobsRepo.unfinishedJobs(this.deps.db)) {
      const key = row.printer_id === null ? null : Number(row.printer_id);
      if (!firstPerPrinter.has(key) || key === null) firstPerPrinter.set(key ?? -Number(row.id), row);
    }
    for (const row of firstPerPrinter.values()) {
      if (this.stopping) return;
      const printerId = row.printer_id === null ? null : Number(row.printer_id);
      if (printerId !== null && this.busyPrinters.has(printerId)) continue;
      const due =
        (row.status === "queued" && Number(row.next_attempt_at) <= now) ||
        (row.status === "processing" && (row.claimed_by === null || Number(row.claim_expires_at ?? 0) < now));
      if (!due) continue;
      const token = await jobsRepo.claim(this.queue, Number(row.id), this.leaseMs);
      if (!token) continue;
      if (printerId !== null) this.busyPrinters.add(printerId);
      const run = this.handle(Number(row.id), token).finally(() => {
        if (printerId !== null) this.busyPrinters.delete(printerId);
        this.inFlight.delete(Number(row.id));
        this.kick();
      });
      this.inFlight.set(Number(row.id), run);
    }
  }

  private async handle(id: number, token: string): Promise<void> {
    const heartbeat = setInterval(
      () => {
        void this.queue
          .renew(token, this.leaseMs, [id])
          .catch((err) => this.deps.log.warn({ err, printJobId: id }, "could not renew a print job's claim"));
      },
      Math.max(1_000, this.leaseMs / 3),
    );
    heartbeat.unref?.();
    try {
      const row = await jobsRepo.findJob(this.deps.db, id);
      if (!row || row.claimed_by !== token) return;
      await this.announce(row, null);
      if (row.printer_id === null) return await this.finish(row, "failed", "The printer was deleted before the job was printed.");
      let target: PrinterTarget;
      try {
        target = await this.deps.printers.target(Number(row.printer_id));
      } catch (err) {
        if (err instanceof NotFoundError)
          return await this.finish(row, "failed", "The printer was deleted before the job was printed.");
        throw err;
      }
      const driver = this.deps.printers.driverOf(target);
      await this.process(row, target, driver);
    } catch (err) {
      if (err instanceof Stopping) return;
      const row = await jobsRepo.findJob(this.deps.db, id).catch(() => undefined);
      if (!row || row.claimed_by !== token) return;
      if (err instanceof PrintError) {
        if (err.retriable) await this.retryLater(row, err.message);
        else await this.finish(row, "failed", err.message);
      } else if (err instanceof AppError) {
        // The letters refused a person (their invitation expired meanwhile, …): no retry helps.
        await this.finish(row, "failed", err.message);
      } else {
        this.deps.log.error({ err, printJobId: id }, "print job failed unexpectedly");
        await this.retryLater(row, `Unexpected error: ${(err as Error).message ?? String(err)}`);
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async process(row: JobRow, target: PrinterTarget, driver: PrinterDriver): Promise<void> {
    // Every claim is an attempt, also one that only reconciles: a printer that stays away fails in the end.
    const attempt = Number(row.attempts) + 1;
    await this.save(row, { attempts: attempt });
    row.attempts = attempt;
    // Reconcile what an earlier claim left: followed at the printer, or maybe sent.
    if (row.phase === "sent" && row.printer_job_id && row.attempt_name) {
      return this.follow(row, target, driver, row.printer_job_id, row.attempt_name);
    }
    if (row.phase === "sending" && row.attempt_name) {
      const found = await driver.findJob(target, row.attempt_name);
      if (found) {
        this.deps.log.info({ printJobId: row.id, printerJobId: found }, "print job was sent before a restart; following it");
        await this.history(row, "adopted", `The printer has the attempt ${row.attempt_name} as its job ${found}: following it.`, {
          attemptName: row.attempt_name,
          printerJobId: found,
        });
        await this.save(row, { phase: "sent", printer_job_id: found });
        return this.follow(row, target, driver, found, row.attempt_name);
      }
      const verdict = await this.judge(row, target, driver, "sending");
      if (verdict.verdict !== "not-received") return this.unconfirmed(row, verdict);
    }
    if (this.stopping) throw new Stopping();

    await this.save(row, { phase: null, printer_job_id: null, printer_state: null });
    const status = await driver.status(target);
    if (status.state === "unreachable")
      throw new PrintError(status.error ?? "The printer cannot be reached", "unreachable", true);
    if (status.state === "stopped") {
      const why = status.reasons.length ? status.reasons.join(", ") : "no reason given";
      throw new PrintError(`The printer is stopped (${why})`, "stopped", true);
    }

    const letters = await this.stillEligible(row);
    if (!letters.length)
      return this.finish(row, "canceled", "Nobody left to print: everyone in this job joined or was deactivated.");
    const userIds = letters.map((l) => l.words.userId);
    const pdf = await this.deps.letters.renderPlanned({
      letters: letters.map((l) => letterEntry(l.words, l.invitation)),
      paper: target.paper,
      cover: this.coverOf(row, letters),
      twoSided: target.sides !== "one-sided",
    });
    if (this.stopping) throw new Stopping();

    const jobName = `invite-station-job-${row.id}-a${attempt}-${randomBytes(3).toString("hex")}`;
    // Saved before the document goes out, with when the printer last started: after a
    // crash, the printer is asked for this name, and whether it restarted since.
    const memory = await this.memoryOf(target, driver);
    const sentAt = nowMs();
    await this.save(row, {
      phase: "sending",
      attempt_name: jobName,
      letters: userIds.length,
      attempt_sent_at: sentAt,
      printer_boot_at: memory.bootAt,
    });
    row.attempt_sent_at = sentAt;
    row.printer_boot_at = memory.bootAt;
    let printerJobId: Awaited<ReturnType<PrinterDriver["submit"]>>["printerJobId"];
    try {
      ({ printerJobId } = await driver.submit(target, { pdf, jobName, userName: "invite-station" }));
    } catch (err) {
      // The printer said no (busy, not accepting jobs): it holds nothing of this attempt, so
      // the next one sends again instead of reconciling an attempt that never went out.
      if (err instanceof PrintError && err.refused) await this.save(row, { phase: null });
      throw err;
    }
    await this.save(row, { phase: "sent", printer_job_id: printerJobId, printer_state: "pending", error: null });
    const documentSha256 = createHash("sha256").update(pdf).digest("hex");
    await this.history(row, "sent", `Attempt ${attempt} sent as printer job ${printerJobId} (${userIds.length} letters).`, {
      attemptName: jobName,
      printerJobId,
      printerBootAt: memory.bootAt,
      documentSha256,
    });
    row.printer_job_id = printerJobId;
    row.attempt_name = jobName;
    row.printer_state = "pending";
    await this.deps.events.emit("print.job.sent", {
      actor: systemActor,
      ...says("printJobSent", {
        id: row.id,
        printerId: target.id,
        attempt,
        n: userIds.length,
        kb: Math.ceil(pdf.length / 1024),
      }),
      target: { type: "print_job", id: row.id },
      printJobId: row.id,
      printerId: target.id,
      printerJobId,
      jobName,
      // What was sent, to compare with what the printer received.
      documentSha256,
      bytes: pdf.length,
    });
    await this.announce(row, null);
    return this.follow(row, target, driver, printerJobId, jobName);
  }

  /** Get-Job-Attributes until the job is final. */
  private async follow(
    row: JobRow,
    target: PrinterTarget,
    driver: PrinterDriver,
    printerJobId: string,
    jobName: string,
  ): Promise<void> {
    let last = row.printer_state;
    // Ask soon at first (a short job is done in a moment), then every monitorMs.
    let wait = Math.min(100, this.monitorMs);
    for (;;) {
      let state: JobState;
      try {
        state = await driver.jobState(target, printerJobId, jobName);
      } catch (err) {
        // The printer went away while printing: try again later, starting from this job id.
        if (err instanceof PrintError && err.retriable) {
          const fresh = { ...row, printer_job_id: printerJobId, attempt_name: jobName, phase: "sent" };
          return this.retryLater(fresh, `${err.message} while printing`);
        }
        throw err;
      }
      if (state.state !== last) {
        last = state.state;
        await this.save(row, { printer_state: state.state, printer_seen_at: nowMs() });
        row.printer_state = state.state;
        await this.announce(row, null);
      }
      const why = [state.message, ...state.reasons].filter(Boolean).join("; ");
      if (state.state === "completed") return this.finish(row, "completed", null);
      // A spooler took it and tells nothing more (Windows): done on this side, not known to be printed.
      if (state.state === SPOOLED) return this.finish(row, "completed", null, { spooled: true });
      if (state.state === "canceled") return this.finish(row, "canceled", `Canceled at the printer${why ? ` (${why})` : ""}`);
      if (state.state === "aborted") return this.finish(row, "failed", `The printer aborted the job${why ? ` (${why})` : ""}`);
      if (state.state === "gone") {
        // The printer no longer knows the job: printed and forgotten, or lost in a restart.
        const verdict = await this.judge({ ...row, printer_state: last }, target, driver, "sent");
        if (verdict.verdict === "printed") {
          await this.history(row, "printed", verdict.reason, this.lastEvidence);
          return this.finish(row, "completed", null);
        }
        return this.unconfirmed(row, verdict);
      }
      if (this.stopping) throw new Stopping();
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, this.monitorMs);
      if (this.stopping) throw new Stopping();
    }
  }

  /**
   * The job's letters whose people still need them, in its order, with their current links;
   * the others leave the job (and the queue). A person whose link died meanwhile fails the
   * job: no retry helps, and a new link is the front desk's to make.
   */
  private async stillEligible(row: JobRow): Promise<Array<{ words: PlannedLetter; invitation: InvitationView }>> {
    const planned = await jobsRepo.jobLetters(this.deps.db, row.id);
    const checked = await this.deps.eligibility(planned.map((l) => l.userId));
    const keep: Array<{ words: PlannedLetter; invitation: InvitationView }> = [];
    const drop: number[] = [];
    let dead: { userId: number; state: InvitationView["state"] } | null = null;
    for (const words of planned) {
      const e = checked.get(words.userId);
      // Erased: their letter left the job with them.
      if (!e || e.state === "unknown") continue;
      if (e.state === "not-pending") drop.push(words.userId);
      else {
        if (e.state === "dead-link") dead ??= { userId: words.userId, state: e.invitation.state };
        keep.push({ words, invitation: e.invitation });
      }
    }
    if (drop.length) {
      await jobsRepo.removeFromJob(this.deps.db, row.id, drop);
      await queue.removeUsers(this.deps.db, drop);
    }
    if (dead) throw new InvitationUnusableError(dead.userId, dead.state as Exclude<InvitationView["state"], "active">);
    return keep;
  }

  /** A batch job's cover sheet as planned, listing the letters it leads. */
  private coverOf(row: JobRow, letters: Array<{ words: PlannedLetter }>): CoverSheet | undefined {
    const planned = row.kind === "batch" ? jobsRepo.coverOf(row) : null;
    if (!planned) return undefined;
    return {
      ...planned,
      jobNumber: Number(row.job_number),
      jobCount: Number(row.job_count),
      people: letters.map(({ words: w }) => ({
        firstName: w.firstName,
        lastName: w.lastName,
        department: w.department,
        site: w.site,
      })),
    };
  }

  private async retryLater(row: JobRow, reason: string): Promise<void> {
    const tries = Number(row.attempts);
    if (tries > this.opts.retryLimit) {
      const note =
        row.phase === "sent" ? " It may have printed in part: check the printer before printing these letters again." : "";
      return this.finish(row, "failed", `${reason}. Gave up after ${tries} ${tries === 1 ? "attempt" : "attempts"}.${note}`);
    }
    const changes: Record<string, unknown> = {
      status: "queued",
      next_attempt_at: nowMs() + this.opts.retrySeconds * 1000,
      claimed_by: null,
      claim_expires_at: null,
      error: `${reason} — attempt ${tries} of ${this.opts.retryLimit + 1}, next try in ${this.opts.retrySeconds} s`.slice(0, 500),
      updated_at: nowMs(),
    };
    if (row.phase === "sent")
      Object.assign(changes, { phase: "sent", printer_job_id: row.printer_job_id, attempt_name: row.attempt_name });
    if (!(await jobsRepo.updateClaimed(this.queue, row.id, this.tokenOf(row), changes))) return;
    this.deps.log.info({ printJobId: row.id, attempt: tries, reason }, "print job will be retried");
    const fresh = await jobsRepo.findJob(this.deps.db, row.id);
    if (fresh) await this.announce(fresh, null);
  }

  private async finish(
    row: JobRow,
    status: "completed" | "failed" | "canceled",
    error: string | null,
    opts: { spooled?: boolean } = {},
  ): Promise<void> {
    const now = nowMs();
    // One transaction: whoever sees the job final also sees its people out of the queue
    // (printed) or back in it for the next night (failed, canceled).
    const ok = await this.deps.db.transaction(async (trx) => {
      const claimed = await jobsRepo.updateClaimed(
        this.queue,
        row.id,
        this.tokenOf(row),
        {
          status,
          error: error?.slice(0, 500) ?? null,
          claimed_by: null,
          claim_expires_at: null,
          next_attempt_at: null,
          completed_at: now,
          updated_at: now,
        },
        trx,
      );
      if (!claimed) return false;
      const userIds = await jobsRepo.jobPeople(trx, row.id);
      if (status === "completed") await queue.removeUsers(trx, userIds);
      else await queue.detach(trx, row.id);
      return true;
    });
    if (!ok) return;
    const done = opts.spooled ? "Handed to the spooler, which tells nothing more: whether it printed is not known." : "Printed.";
    await this.history(row, opts.spooled ? SPOOLED : status, error ?? done, {});
    const fresh = (await jobsRepo.findJob(this.deps.db, row.id)) as JobRow;
    const job = jobsRepo.toJob(fresh);
    const name = status === "canceled" ? "print.job.canceled" : `print.job.${status}`;
    await this.deps.events.emit(name, {
      actor: systemActor,
      ...says("printJobEnded", {
        id: job.id,
        outcome: opts.spooled ? "spooled" : status,
        n: job.letters,
        hasPrinter: job.printerId ? "yes" : "no",
        printerId: job.printerId ?? "",
        hasError: error ? "yes" : "no",
        error: error ?? "",
      }),
      target: { type: "print_job", id: job.id },
      printJobId: job.id,
      printerId: job.printerId,
      batchId: job.batchId,
    });
    await this.announce(fresh, job);
  }

  private async save(row: JobRow, changes: Record<string, unknown>): Promise<void> {
    if (!(await jobsRepo.updateClaimed(this.queue, row.id, this.tokenOf(row), { ...changes, updated_at: nowMs() }))) {
      // Another instance took the job over (this one stalled past its lease): leave it to them.
      throw new Stopping();
    }
  }

  /** The claim that holds the row in this handling (read back right after the claim). */
  private tokenOf(row: JobRow): string {
    return row.claimed_by ?? "";
  }

  private async memoryOf(target: PrinterTarget, driver: PrinterDriver): Promise<PrinterMemory> {
    try {
      return await driver.memory(target);
    } catch (err) {
      // A printer that cannot say is no reason not to print; reconciling will know less.
      this.deps.log.warn({ err, printerId: target.id }, "the printer did not say when it started");
      return { bootAt: null, oldestJobAt: null };
    }
  }

  /** The evidence of the last judgement, for the history. */
  private lastEvidence: Record<string, unknown> = {};

  /** Asks the printer what it remembers and judges an attempt it no longer lists (see reconcile.ts). */
  private async judge(row: JobRow, target: PrinterTarget, driver: PrinterDriver, phase: "sending" | "sent"): Promise<Verdict> {
    const now = await driver.memory(target);
    const evidence = {
      phase,
      attemptName: row.attempt_name,
      printerJobId: row.printer_job_id,
      attemptSentAt: row.attempt_sent_at === null ? null : Number(row.attempt_sent_at),
      bootAtAttempt: row.printer_boot_at === null ? null : Number(row.printer_boot_at),
      bootNow: now.bootAt,
      oldestJobAt: now.oldestJobAt,
      lastPrinterState: row.printer_state,
    };
    const verdict = judgeMissingJob(evidence);
    this.lastEvidence = { ...evidence, verdict: verdict.verdict };
    this.deps.log.info({ printJobId: row.id, ...this.lastEvidence }, "print job reconciled with the printer");
    if (verdict.verdict === "not-received") await this.history(row, "not-received", verdict.reason, this.lastEvidence);
    return verdict;
  }

  /** The evidence cannot decide whether the job printed: it waits for the front desk, its people held by it. */
  private async unconfirmed(row: JobRow, verdict: Verdict): Promise<void> {
    const now = nowMs();
    const ok = await jobsRepo.updateClaimed(this.queue, row.id, this.tokenOf(row), {
      status: "unconfirmed",
      error: verdict.reason.slice(0, 500),
      claimed_by: null,
      claim_expires_at: null,
      next_attempt_at: null,
      updated_at: now,
    });
    if (!ok) return;
    await this.history(row, "unconfirmed", verdict.reason, this.lastEvidence);
    const fresh = (await jobsRepo.findJob(this.deps.db, row.id)) as JobRow;
    const job = jobsRepo.toJob(fresh);
    await this.deps.events.emit("print.job.unconfirmed", {
      actor: systemActor,
      ...says("printJobUnconfirmed", { id: job.id }),
      target: { type: "print_job", id: job.id },
      printJobId: job.id,
      printerId: job.printerId,
      batchId: job.batchId,
    });
    await this.announce(fresh, job);
  }

  private async history(row: JobRow, kind: string, summary: string, evidence: Record<string, unknown>): Promise<void> {
    await jobsRepo
      .addHistory(this.deps.db, Number(row.id), { kind, summary, evidence })
      .catch((err) => this.deps.log.warn({ err, printJobId: row.id }, "could not write a print job's history"));
  }

  private async announce(row: JobRow, job: PrintJob | null): Promise<void> {
    const fresh = job ?? jobsRepo.toJob((await jobsRepo.findJob(this.deps.db, row.id)) ?? row);
    await this.deps.events.emit("print.job.updated", {
      actor: systemActor,
      ...says("printJobState", {
        id: fresh.id,
        status: fresh.status,
        hasState: fresh.printerState ? "yes" : "no",
        printerState: fresh.printerState ?? "",
      }),
      target: { type: "print_job", id: fresh.id },
      job: fresh,
      printJobId: fresh.id,
      printerId: fresh.printerId,
    });
  }
}
