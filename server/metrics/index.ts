/** The feature's public face: other features import it only from here. */
import type { Knex } from "knex";
import type { Config } from "../core/config.js";
import type { EventBus } from "../core/events.js";
import type { Feature } from "../core/feature.js";
import type { Live } from "../core/live/live.js";
import { metricsRoutes } from "./metrics.routes.js";
import { AppMetrics, type MetricsFigures, type PrinterProbe } from "./metrics.service.js";

export type { AppMetrics, MetricsFigures, PrinterProbe } from "./metrics.service.js";
export { type JobOutcome, recordJobRun, recordLeaseTakeover } from "./registry.js";

export type MetricsDeps = {
  db: Knex;
  events: EventBus;
  live: Live;
  config: Pick<Config, "metricsToken">;
  printers?: PrinterProbe;
  /** The outbox's figures (notify's) and the print jobs' (print's), counted at scrape time. */
  figures: MetricsFigures;
};

/** GET /metrics and what feeds it: every request timed (first of all), the event bus, the figures. */
export type Metrics = Feature & { metrics: AppMetrics };

export function createMetrics(deps: MetricsDeps): Metrics {
  const { db, figures } = deps;
  const metrics = new AppMetrics({ db, events: deps.events, live: deps.live, printers: deps.printers, figures });
  metrics.listen(deps.events);
  return {
    name: "metrics",
    metrics,
    first: [metrics.middleware()],
    open: [metricsRoutes(metrics, deps.config.metricsToken)],
  };
}
