import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { cliActor } from "../../server/core/events.js";
import { call } from "../support/api-client.js";
import { createApiKey, startOn, type TestApp } from "../support/app.js";
import { dialects, freshDatabase, type TestDatabase } from "../support/databases.js";
import { type IppPrinter, requireIpp, startIppPrinter } from "../support/ipp-printer.js";
import { personInput } from "../support/people.js";
import { FAST_RETRY, finalJob, registerPeople } from "../support/printing.js";
import { waitFor } from "../support/process.js";
import { type Prometheus, requirePrometheus, startPrometheus } from "../support/prometheus.js";
import { SmtpCapture } from "../support/smtp-capture.js";

const TOKEN = "metrics-token-for-the-tests-0123";

type Family = {
  name: string;
  type: string;
  metrics: Array<{ value?: string; labels?: Record<string, string> }>;
};

/** /metrics read with a Prometheus text-format parser: the value of one series (0 when absent). */
async function scrape(app: TestApp) {
  const res = await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  const families = parsePrometheusTextFormat(text) as Family[];
  const value = (name: string, labels: Record<string, string> = {}) => {
    const family = families.find((f) => f.name === name);
    if (!family) return undefined;
    return family.metrics
      .filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
      .reduce((sum, m) => sum + Number(m.value ?? 0), 0);
  };
  // The parser drops a histogram's labels: its _count series are read from the text.
  value.requests = (route: string) =>
    [...text.matchAll(/^invite_station_http_request_duration_seconds_count\{([^}]*)\} (\d+)$/gm)]
      .filter((m) => m[1]?.includes(`route="${route}"`))
      .reduce((sum, m) => sum + Number(m[2]), 0);
  return value;
}

for (const dialect of await dialects()) {
  describe(`GET /metrics (${dialect})`, { skip: !requireIpp() }, () => {
    let db: TestDatabase;
    let app: TestApp;
    let smtp: SmtpCapture;
    let printer: IppPrinter;
    let key: string;

    before(async () => {
      db = await freshDatabase(dialect);
      smtp = await SmtpCapture.start();
      printer = await startIppPrinter();
      app = await startOn(db, { METRICS_TOKEN: TOKEN, SMTP_URL: smtp.url, ...FAST_RETRY }, { outbox: true });
      key = await createApiKey(app.ctx, ["users", "invitations", "printers"]);
    });
    after(async () => {
      await app?.stop();
      await printer?.stop();
      await smtp?.close();
      await db?.drop();
    });

    it("wants the bearer token; without a token set, only a direct loopback scraper gets it", async () => {
      assert.equal((await fetch(`${app.url}/metrics`)).status, 401);
      const wrong = await fetch(`${app.url}/metrics`, { headers: { authorization: "Bearer not-the-token" } });
      assert.equal(wrong.status, 401);
      assert.match(wrong.headers.get("www-authenticate") ?? "", /^Bearer/);

      const open = await startOn(db);
      try {
        assert.equal((await fetch(`${open.url}/metrics`)).status, 200, "loopback, no proxy: allowed");
        const proxied = await fetch(`${open.url}/metrics`, { headers: { "x-forwarded-for": "203.0.113.9" } });
        assert.equal(proxied.status, 403, "through a proxy it is refused");
      } finally {
        await open.stop();
      }
    });

    it("the figures move when a redemption, an email and a print job happen", async () => {
      const [personId] = await registerPeople(app, 1, "Metric");
      const other = await app.ctx.users.create(
        personInput({ firstName: "Mia", lastName: "Trics", email: "mia@example.com" }),
        cliActor(),
      );
      const otherId = other.id;
      const m0 = await scrape(app);
      assert.ok((m0("invite_station_process_resident_memory_bytes") ?? 0) > 0, "memory");
      assert.notEqual(m0("invite_station_nodejs_eventloop_lag_seconds"), undefined, "event-loop lag");

      // A redemption.
      const invitation = await call(app, "GET", `/users/${personId}/invitation`, { key });
      const token = new URL(invitation.body.url).pathname.split("/").pop();
      assert.equal((await call(app, "POST", "/invitations/redeem", { body: { token } })).status, 200);
      // An email.
      const sent = await call(app, "POST", `/users/${otherId}/invitation/send`, { key, body: { channel: "email" } });
      assert.equal(sent.status, 202, JSON.stringify(sent.body));
      await waitFor(() => smtp.mails.length === 1, 15_000, "the email");
      // A print job.
      const created = await call(app, "POST", "/printers", {
        key,
        body: { name: "Lobby printer", uri: printer.uri, driver: "ipp" },
      });
      assert.equal(created.status, 201);
      const job = await call(app, "POST", "/print-jobs", {
        key,
        body: { printerId: created.body.id, userIds: [otherId], when: "now" },
      });
      assert.equal((await finalJob(app, key, job.body.id)).status, "completed");

      const m1 = await waitFor(
        async () => {
          const m = await scrape(app);
          return m("invite_station_outbox_messages", { channel: "email", state: "sent" }) === 1 ? m : null;
        },
        15_000,
        "the sent email in the outbox figures",
      );
      assert.equal(m1("invite_station_joins_total") ?? 0, (m0("invite_station_joins_total") ?? 0) + 1, "one redemption");
      assert.equal(m1("invite_station_print_jobs", { state: "completed" }), 1);
      assert.equal(m1("invite_station_pages_printed", { printer: "Lobby printer" }), 1);
      assert.equal(m1("invite_station_print_jobs_sent_total", { printer: String(created.body.id) }), 1);
      assert.ok(m1.requests("/api/v1/invitations/redeem") >= 1, "requests by route");
      assert.equal(m1("invite_station_kiosks_connected"), 0);
      // The printer's state is probed in the background: the next scrapes have it.
      const m2 = await waitFor(
        async () => {
          const m = await scrape(app);
          return m("invite_station_printer_state", { printer: "Lobby printer" }) === 1 ? m : null;
        },
        15_000,
        "the printer's state",
      );
      assert.equal(m2("invite_station_printer_state", { printer: "Lobby printer", state: "unreachable" }), 0);
    });

    it("counts job runs and lease take-overs; /readyz warns about an abandoned lease", async () => {
      const before = await scrape(app);
      await app.ctx.jobs.runNow("sessions.prune");
      // A lease whose holder died mid-run (expired, never released) is taken over and counted.
      await app.ctx
        .db("job_leases")
        .insert({ name: "kiosks.prune", lease_owner: "dead-instance", lease_expires_at: Date.now() - 1_000 });
      const abandoned = await scrape(app);
      assert.equal(abandoned("invite_station_job_leases_abandoned"), 1);
      const ready = await (await fetch(`${app.url}/readyz`)).json();
      assert.equal(ready.status, "ready");
      assert.deepEqual(ready.checks.jobs, { status: "warn", held: 0, abandoned: ["kiosks.prune"] });
      assert.equal(ready.checks.database.status, "ok");
      await app.ctx.jobs.runNow("kiosks.prune");
      const m = await scrape(app);
      const runs = (mm: typeof m, job: string) => mm("invite_station_job_runs_total", { job, outcome: "ok" }) ?? 0;
      assert.equal(runs(m, "sessions.prune"), runs(before, "sessions.prune") + 1);
      assert.equal(
        m("invite_station_lease_takeovers_total", { queue: "jobs" }) ?? 0,
        (before("invite_station_lease_takeovers_total", { queue: "jobs" }) ?? 0) + 1,
      );
      assert.equal(m("invite_station_job_leases_abandoned"), 0);
    });

    it("is scraped by a real Prometheus", { skip: !requirePrometheus() }, async () => {
      let prom: Prometheus | undefined;
      try {
        prom = await startPrometheus(new URL(app.url).host, TOKEN);
        const p = prom;
        await waitFor(async () => (await p.target())?.health === "up", 20_000, "the target to be up");
        const joins = await waitFor(async () => {
          const r = await p.query("sum(invite_station_joins_total)");
          return r.length ? r : null;
        });
        assert.ok((joins[0]?.value ?? 0) >= 1);
        const printed = await p.query('invite_station_pages_printed{printer="Lobby printer"}');
        assert.equal(printed[0]?.value, 1);
        const memory = await p.query("invite_station_process_resident_memory_bytes");
        assert.ok((memory[0]?.value ?? 0) > 0);
      } finally {
        await prom?.stop();
      }
    });
  });
}
