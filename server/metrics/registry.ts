import { Counter, collectDefaultMetrics, Registry } from "prom-client";

/**
 * The process's metrics registry. One per process on purpose: event-loop lag, memory and
 * the counters below describe this process, whichever context (tests run several) feeds them.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: "invite_station_" });

const jobRuns = new Counter({
  name: "invite_station_job_runs_total",
  help: "Scheduled or queued job runs on this instance, by job and outcome (ok, failed, skipped: another instance held the lease or ran it)",
  labelNames: ["job", "outcome"] as const,
  registers: [metricsRegistry],
});

const leaseTakeovers = new Counter({
  name: "invite_station_lease_takeovers_total",
  help: "Leases this instance took over after their holder let them expire (it died or stalled), by job or queue",
  labelNames: ["queue"] as const,
  registers: [metricsRegistry],
});

export type JobOutcome = "ok" | "failed" | "skipped";

/** Called by the job registry (and the work queue) once per run. */
export function recordJobRun(name: string, outcome: JobOutcome): void {
  jobRuns.inc({ job: name, outcome });
}

/** Called when a lease is taken from a holder that did not release it. */
export function recordLeaseTakeover(queue: string): void {
  leaseTakeovers.inc({ queue });
}
