import type { Knex } from "knex";
import cron, { type ScheduledTask } from "node-cron";
import type { Logger } from "../log.js";
import { WorkQueue } from "../work/work-queue.js";

export type Job = {
  name: string;
  /** A node-cron expression, read in the process's TZ. */
  schedule: string;
  /** How long one run may hold the lease before another instance may take over. */
  leaseSeconds: number;
  run: () => Promise<unknown>;
};

/** Heard of each job run (metrics). */
export type JobRunListener = (name: string, outcome: "ok" | "failed" | "skipped", ms: number) => void;

/**
 * Scheduled jobs. Several instances may share one database: a run first claims the job's
 * row in `job_leases` through the work queue, so a job runs once per schedule tick across
 * all instances (the row remembers the scheduled minute last run) and never twice at once.
 */
export class JobRegistry {
  private jobs = new Map<string, Job>();
  private tasks: ScheduledTask[] = [];
  private running = new Set<Promise<unknown>>();
  private listeners: JobRunListener[] = [];
  private readonly leases: WorkQueue;

  constructor(
    private db: Knex,
    private log: Logger,
  ) {
    this.leases = new WorkQueue(db, {
      name: "jobs",
      table: "job_leases",
      key: "name",
      owner: "lease_owner",
      expires: "lease_expires_at",
    });
  }

  register(job: Job): void {
    if (!cron.validate(job.schedule)) throw new Error(`job ${job.name}: invalid schedule ${job.schedule}`);
    this.jobs.set(job.name, job);
  }

  list(): Job[] {
    return [...this.jobs.values()];
  }

  onRun(listener: JobRunListener): void {
    this.listeners.push(listener);
  }

  start(): void {
    for (const job of this.jobs.values()) {
      this.tasks.push(cron.schedule(job.schedule, () => void this.runNow(job.name, Math.floor(Date.now() / 60_000))));
    }
  }

  /**
   * Runs a job now unless another run holds its lease or one already ran this scheduled
   * minute (`slot`; none for a run asked for by hand). Returns false when it was skipped.
   */
  async runNow(name: string, slot: number | null = null): Promise<boolean> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`no job named ${name}`);
    const token = await this.acquire(job, slot);
    if (!token) {
      for (const l of this.listeners) l(name, "skipped", 0);
      return false;
    }
    const run = (async () => {
      const started = Date.now();
      let outcome: "ok" | "failed" = "ok";
      try {
        await job.run();
        this.log.info({ job: name, ms: Date.now() - started }, "job finished");
      } catch (err) {
        outcome = "failed";
        this.log.error({ job: name, err }, "job failed");
      } finally {
        await this.leases.finish(token, name).catch((err) => this.log.warn({ job: name, err }, "could not release job lease"));
        for (const l of this.listeners) l(name, outcome, Date.now() - started);
      }
    })();
    this.running.add(run);
    await run;
    this.running.delete(run);
    return true;
  }

  /** Stops scheduling and waits (up to `ms`) for runs in progress. */
  async stop(ms = 5_000): Promise<void> {
    for (const task of this.tasks) task.stop();
    this.tasks = [];
    await Promise.race([Promise.allSettled([...this.running]), new Promise((r) => setTimeout(r, ms).unref())]);
  }

  /** The claim token of this run, or null when another run holds the job or ran this minute. */
  private async acquire(job: Job, slot: number | null): Promise<string | null> {
    await this.db("job_leases").insert({ name: job.name, last_slot: null }).onConflict("name").ignore();
    const claim = await this.leases.claim({
      keys: [job.name],
      leaseMs: job.leaseSeconds * 1000,
      ready: slot === null ? undefined : (q) => void q.where((w) => w.whereNull("last_slot").orWhere("last_slot", "<", slot)),
      set: slot === null ? undefined : { last_slot: slot },
    });
    return claim.rows.length ? claim.token : null;
  }
}
