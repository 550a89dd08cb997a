import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Knex } from "knex";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { EventBus } from "../core/events.js";
import { abandonedLeases } from "../core/jobs/leases.repo.js";
import type { Live } from "../core/live/live.js";
import { metricsRegistry } from "./registry.js";

/** The printers and how to ask one for its state, wired in the composition root. */
export type PrinterProbe = {
  list: () => Promise<Array<{ id: number; name: string }>>;
  state: (id: number) => Promise<string>;
};

/**
 * The installation's figures counted at scrape time, from the features that keep them (the
 * outbox's messages, the print jobs): asked through these, never read from their tables here.
 */
export type MetricsFigures = {
  outboxByChannelAndState: () => Promise<Array<{ channel: string; state: string; n: number }>>;
  outboxRetrying: () => Promise<Array<{ channel: string; n: number }>>;
  printJobsByState: () => Promise<Array<{ state: string; n: number }>>;
  lettersPrintedByPrinter: () => Promise<Array<{ printer: string; n: number }>>;
};

export type AppMetricsDeps = {
  /** The job leases (the core's), counted at scrape time. */
  db: Knex;
  figures: MetricsFigures;
  events: EventBus;
  live: Live;
  /**
   * The printers (wired in the composition root, so this core module imports no feature).
   * Each is probed at most once per PRINTER_PROBE_MS, in the background: a scrape never
   * waits on a slow printer, and a new printer is probed at the first scrape that sees it.
   */
  printers?: PrinterProbe;
};

const PRINTER_PROBE_MS = 30_000;

/**
 * The figures of one running service for GET /metrics. Three kinds of source:
 * - this process (the shared registry: event-loop lag, memory, job runs, lease take-overs);
 * - what this instance served and saw on the event bus (requests, joins, print jobs sent);
 * - the database, counted at scrape time (outbox, print jobs, pages printed), the same on
 *   every instance: aggregate those with max(), not sum().
 */
export class AppMetrics {
  readonly registry = new Registry();
  private printerCache = new Map<number, { at: number; state: string | null; probing: boolean }>();

  private readonly requests = new Histogram({
    name: "invite_station_http_request_duration_seconds",
    help: "HTTP requests answered by this instance, by method, route pattern and status class",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly joins = new Counter({
    name: "invite_station_joins_total",
    help: "People who joined through this instance, by channel (link, kiosk, phone, …): redemptions",
    labelNames: ["channel"] as const,
    registers: [this.registry],
  });

  private readonly printSent = new Counter({
    name: "invite_station_print_jobs_sent_total",
    help: "Print jobs this instance sent to a printer (each attempt), and their letters",
    labelNames: ["printer"] as const,
    registers: [this.registry],
  });

  constructor(private deps: AppMetricsDeps) {
    const { db, live, figures } = deps;
    const self = this;
    new Gauge({
      name: "invite_station_outbox_messages",
      help: "Outbox messages (email, sms, webhook) by channel and state: queued + sending is the backlog, failed gave up",
      labelNames: ["channel", "state"] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const r of await figures.outboxByChannelAndState()) this.set({ channel: r.channel, state: r.state }, r.n);
      },
    });
    new Gauge({
      name: "invite_station_outbox_retrying",
      help: "Queued outbox messages that already failed at least once (waiting for a retry), by channel",
      labelNames: ["channel"] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const r of await figures.outboxRetrying()) this.set({ channel: r.channel }, r.n);
      },
    });
    new Gauge({
      name: "invite_station_print_jobs",
      help: "Print jobs by state (queued, processing, completed, failed, canceled)",
      labelNames: ["state"] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const r of await figures.printJobsByState()) this.set({ state: r.state }, r.n);
      },
    });
    new Gauge({
      name: "invite_station_pages_printed",
      help: "Letters (one page each) in completed print jobs, by printer: use increase() for pages per period",
      labelNames: ["printer"] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const r of await figures.lettersPrintedByPrinter()) this.set({ printer: r.printer }, r.n);
      },
    });
    new Gauge({
      name: "invite_station_printer_state",
      help: "1 for each printer's last known state (idle, processing, stopped, unreachable), probed every 30 s at most",
      labelNames: ["printer", "state"] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const s of await self.printerStatesNow()) this.set({ printer: s.printer, state: s.state }, 1);
      },
    });
    new Gauge({
      name: "invite_station_kiosks_connected",
      help: "Kiosk screens connected to this instance",
      registers: [this.registry],
      collect() {
        this.set(live.server?.of("/kiosk").sockets.size ?? 0);
      },
    });
    new Gauge({
      name: "invite_station_admin_pages_connected",
      help: "Admin and front-desk pages with a live connection to this instance",
      registers: [this.registry],
      collect() {
        this.set(live.server?.of("/admin").sockets.size ?? 0);
      },
    });
    new Gauge({
      name: "invite_station_job_leases_abandoned",
      help: "Job leases whose holder let them expire without releasing them (it died mid-run)",
      registers: [this.registry],
      async collect() {
        this.set((await abandonedLeases(db, Date.now())).length);
      },
    });
  }

  /** Feeds the counters from the event bus (joins, print jobs sent). */
  listen(events: EventBus): void {
    events.on("user.joined", (e) => {
      this.joins.inc({ channel: String(e.channel ?? "unknown") });
    });
    events.on("print.job.sent", (e) => {
      this.printSent.inc({ printer: String(e.printerId ?? "unknown") });
    });
  }

  /** Times every request; the route is the matched pattern, so ids do not make new series. */
  middleware(): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const end = this.requests.startTimer();
      res.once("finish", () => {
        end({ method: req.method, route: routeOf(req, res), status: `${Math.floor(res.statusCode / 100)}xx` });
      });
      next();
    };
  }

  /** The whole exposition: this process's registry, then this service's. */
  async text(): Promise<string> {
    const [proc, app] = await Promise.all([metricsRegistry.metrics(), this.registry.metrics()]);
    return `${proc}\n${app}`;
  }

  readonly contentType = this.registry.contentType;

  private async printerStatesNow(): Promise<Array<{ printer: string; state: string }>> {
    const probe = this.deps.printers;
    if (!probe) return [];
    const printers = await probe.list();
    const known: Array<{ printer: string; state: string }> = [];
    for (const p of printers) {
      let entry = this.printerCache.get(p.id);
      if (!entry) {
        entry = { at: 0, state: null, probing: false };
        this.printerCache.set(p.id, entry);
      }
      const e = entry;
      if (!e.probing && Date.now() - e.at >= PRINTER_PROBE_MS) {
        e.probing = true;
        probe
          .state(p.id)
          .then(
            (state) => {
              e.state = state;
            },
            () => {
              e.state = "unreachable";
            },
          )
          .finally(() => {
            e.at = Date.now();
            e.probing = false;
          });
      }
      if (e.state) known.push({ printer: p.name, state: e.state });
    }
    const ids = new Set(printers.map((p) => p.id));
    for (const id of this.printerCache.keys()) if (!ids.has(id)) this.printerCache.delete(id);
    return known;
  }
}

function routeOf(req: Request, res: Response): string {
  const pattern = req.route?.path;
  if (typeof pattern === "string") return `${res.locals.metricsRouteBase ?? ""}${pattern}`;
  if (req.originalUrl.startsWith("/assets/")) return "/assets";
  if (req.originalUrl.startsWith("/socket.io/")) return "/socket.io";
  return "unmatched";
}
