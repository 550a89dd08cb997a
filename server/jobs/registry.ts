import { hostname } from "node:os";
import type { Knex } from "knex";
import cron, { type ScheduledTask } from "node-cron";
import { nowMs } from "../db/convert.js";
import type { Logger } from "../log.js";
import { recordJobRun, recordLeaseTakeover } from "../metrics/registry.js";

export type Job = {
  name: string;
  /** A node-cron expression, read in the process's TZ. */
  schedule: string;
  /** How long one run may hold the lease before another instance may take over. */
  leaseSeconds: number;
  run: () => Promise<unknown>;
};

/**
 * Scheduled jobs. Several instances may share one database: each run first takes a lease
 * row for the job, so that a job runs once per schedule tick across all instances.
 */
export class JobRegistry {
  private jobs = new Map<string, Job>();
  private tasks: ScheduledTask[] = [];
  private running = new Set<Promise<unknown>>();
  private readonly holder = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;

  constructor(
    private db: Knex,
    private log: Logger,
  ) {}

  register(job: Job): void {
    if (!cron.validate(job.schedule)) throw new Error(`job ${job.name}: invalid schedule ${job.schedule}`);
    this.jobs.set(job.name, job);
  }

  list(): Job[] {
    return [...this.jobs.values()];
  }

  start(): void {
    for (const job of this.jobs.values()) {
      this.tasks.push(cron.schedule(job.schedule, () => void this.runNow(job.name, Math.floor(Date.now() / 60_000))));
    }
  }

  /**
   * Runs a job now unless another instance holds its lease or already ran this scheduled
   * minute (`slot`; none for a run asked for by hand). Returns false when it was skipped.
   */
  async runNow(name: string, slot: number | null = null): Promise<boolean> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`no job named ${name}`);
    if (!(await this.acquire(job, slot))) {
      recordJobRun(name, "skipped");
      return false;
    }
    const run = (async () => {
      const started = Date.now();
      try {
        await job.run();
        recordJobRun(name, "ok");
        this.log.info({ job: name, ms: Date.now() - started }, "job finished");
      } catch (err) {
        recordJobRun(name, "failed");
        this.log.error({ job: name, err }, "job failed");
      } finally {
        await this.release(name).catch((err) => this.log.warn({ job: name, err }, "could not release job lease"));
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

  private async acquire(job: Job, slot: number | null): Promise<boolean> {
    const now = nowMs();
    const expires = now + job.leaseSeconds * 1000;
    return this.db.transaction(async (trx) => {
      const row = await trx("job_leases").where({ name: job.name }).forUpdate().first();
      if (!row) {
        try {
          await trx("job_leases").insert({ name: job.name, holder: this.holder, expires_at: expires, last_slot: slot });
          return true;
        } catch {
          return false; // another instance inserted it first
        }
      }
      if (Number(row.expires_at) > now && row.holder !== this.holder) return false;
      if (slot !== null && row.last_slot !== null && Number(row.last_slot) >= slot) return false;
      // Expired but never released (a release sets 0): its holder died or stalled mid-run.
      if (Number(row.expires_at) > 0 && row.holder !== this.holder) recordLeaseTakeover(job.name);
      await trx("job_leases")
        .where({ name: job.name })
        .update({ holder: this.holder, expires_at: expires, ...(slot !== null ? { last_slot: slot } : {}) });
      return true;
    });
  }

  private async release(name: string): Promise<void> {
    await this.db("job_leases").where({ name, holder: this.holder }).update({ expires_at: 0 });
  }
}
