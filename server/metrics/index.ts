/** The feature's public face: other features import it only from here. */
import type { Knex } from "knex";
import type { Config } from "../core/config.js";
import type { EventBus } from "../core/events.js";
import type { Feature } from "../core/feature.js";
import type { Live } from "../core/live/live.js";
import * as figuresRepo from "./figures.repo.js";
import { metricsRoutes } from "./metrics.routes.js";
import { AppMetrics, type MetricsFigures, type PrinterProbe } from "./metrics.service.js";

/** Read by the readiness check (/readyz): messages the outbox workers are behind on. */
export { outboxOverdue } from "./figures.repo.js";
export type { AppMetrics, MetricsFigures, PrinterProbe } from "./metrics.service.js";
export { type JobOutcome, recordJobRun, recordLeaseTakeover } from "./registry.js";

export type MetricsDeps = {
  db: Knex;
  events: EventBus;
  live: Live;
  config: Pick<Config, "metricsToken">;
  printers?: PrinterProbe;
  /** The outbox's and the print jobs' figures; by default still counted in ./figures.repo.ts. */
  figures?: MetricsFigures;
};

/** GET /metrics and what feeds it: every request timed (first of all), the event bus, the figures. */
export type Metrics = Feature & { metrics: AppMetrics };

export function createMetrics(deps: MetricsDeps): Metrics {
  const { db } = deps;
  const figures: MetricsFigures = deps.figures ?? {
    outboxByChannelAndState: () => figuresRepo.outboxByChannelAndState(db),
    outboxRetrying: () => figuresRepo.outboxRetrying(db),
    printJobsByState: () => figuresRepo.printJobsByState(db),
    lettersPrintedByPrinter: () => figuresRepo.lettersPrintedByPrinter(db),
  };
  const metrics = new AppMetrics({ db, events: deps.events, live: deps.live, printers: deps.printers, figures });
  metrics.listen(deps.events);
  return {
    name: "metrics",
    metrics,
    first: [metrics.middleware()],
    open: [metricsRoutes(metrics, deps.config.metricsToken)],
  };
}
