import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { Knex } from "knex";
import { createDb } from "../../server/core/db/knex.js";
import { call } from "../support/api-client.js";
import { freshDatabase, type TestDatabase } from "../support/databases.js";
import { type Instance, prepareDatabase, sharedEnv, startInstance } from "../support/instances.js";
import { IppGate } from "../support/ipp-gate.js";
import { type IppPrinter, requireIpp, startIppPrinter } from "../support/ipp-printer.js";
import { waitFor } from "../support/process.js";

/**
 * The service killed (SIGKILL) at each step of a print attempt, then started again: every
 * letter is printed once, or the job waits for the front desk's decision — never twice,
 * never silently lost. The printers are real ippeveprinters: one that forgets finished jobs
 * after about a minute, one restarted while it holds a job. The evidence is the printer's,
 * the database does not matter here: SQLite only.
 */
describe("a print attempt interrupted at each step", { skip: !requireIpp() && "ippeveprinter missing" }, () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
  });

  type Stage = {
    database: TestDatabase;
    env: Record<string, string>;
    key: string;
    db: Knex;
    service: Instance;
    printerId: number;
  };

  async function stage(printerUri: string): Promise<Stage> {
    const database = await freshDatabase("sqlite");
    cleanup.push(() => database.drop());
    const env = sharedEnv(database.env, { PRINT_RETRY_SECONDS: "1", PRINT_RETRY_LIMIT: "5" });
    const key = await prepareDatabase(env);
    const service = await startInstance(env, { sameDataDir: true });
    cleanup.push(() => service.kill());
    const db = createDb({ client: "sqlite", filename: `${database.dataDir}/invite-station.sqlite` });
    cleanup.push(() => db.destroy());
    const printer = await call(service.app, "POST", "/printers", {
      key,
      body: { name: "Front desk", uri: printerUri, driver: "ipp", siteDefault: true },
    });
    assert.equal(printer.status, 201, JSON.stringify(printer.body));
    return { database, env, key, db, service, printerId: printer.body.id };
  }

  async function printOne(s: Stage, name: string): Promise<number> {
    const person = await call(s.service.app, "POST", "/users", { key: s.key, body: { firstName: name, lastName: "Ortega" } });
    assert.equal(person.status, 201, JSON.stringify(person.body));
    const job = await call(s.service.app, "POST", "/print-jobs", {
      key: s.key,
      body: { printerId: s.printerId, userIds: [person.body.id], when: "now" },
    });
    assert.equal(job.status, 201, JSON.stringify(job.body));
    return job.body.id;
  }

  const jobRow = (s: Stage, id: number) => s.db("print_jobs").where({ id }).first();
  const settled = (s: Stage, id: number) =>
    waitFor(
      async () => {
        const r = await call(s.service.app, "GET", `/print-jobs/${id}`, { key: s.key });
        return ["completed", "failed", "canceled", "unconfirmed"].includes(r.body.status) ? r.body : null;
      },
      90_000,
      `print job #${id} to settle`,
    );
  const docsOf = (printer: IppPrinter, id: number) =>
    printer.spooled().filter((d) => d.jobName.startsWith(`invite-station-job-${id}-`));

  /** Kills the service, lets its lease run out (as time would) and starts it again on the same data. */
  async function crashAndRestart(s: Stage, id: number, between?: () => Promise<void>) {
    await s.service.kill("SIGKILL");
    await between?.();
    await s.db("print_jobs").where({ id }).update({ claim_expires_at: 0 });
    s.service = await startInstance(s.env, { sameDataDir: true });
    cleanup.push(() => s.service.kill());
  }

  async function historyKinds(s: Stage, id: number): Promise<string[]> {
    const r = await call(s.service.app, "GET", `/print-jobs/${id}/history`, { key: s.key });
    return r.body.items.map((h: { kind: string }) => h.kind);
  }

  /** Holds the next document at the gate after `pdfBytes` of it, kills the service, lets it go, restarts. */
  async function interruptUpload(pdfBytes: number) {
    const printer = await startIppPrinter();
    cleanup.push(() => printer.stop());
    const gate = new IppGate(printer.port);
    await gate.start();
    cleanup.push(() => gate.stop());
    const s = await stage(gate.uri);
    // A letter printed earlier: the printer's memory reaches back before the attempt.
    const earlier = await printOne(s, "Earlier");
    assert.equal((await settled(s, earlier)).status, "completed");
    // Clearly before the attempt: the printer counts time in whole seconds.
    await new Promise((r) => setTimeout(r, 2_500));
    gate.hold = true;
    gate.pdfBytes = pdfBytes;
    const id = await printOne(s, "Interrupted");
    await waitFor(async () => gate.held > 0 && (await jobRow(s, id))?.phase === "sending", 30_000, "the upload to be held");
    await crashAndRestart(s, id, async () => {
      gate.cut();
      gate.hold = false;
    });
    return { s, id, printer, job: await settled(s, id) };
  }

  it("killed before the upload: the printer never had it, so it is sent once, on the evidence", async () => {
    const { s, id, printer, job } = await interruptUpload(0);
    assert.equal(job.status, "completed", job.error ?? "");
    assert.equal(docsOf(printer, id).length, 1, "printed once");
    const kinds = await historyKinds(s, id);
    assert.ok(kinds.includes("not-received"), `the verdict and its evidence are in the history: ${kinds}`);
  });

  it("killed during the upload: the printer's own account of the attempt is adopted, nothing is sent twice", async () => {
    // ippeveprinter keeps a cut-off upload as a job of its own (and reports it completed):
    // the attempt is found by its name and followed, never sent a second time.
    const { s, id, printer, job } = await interruptUpload(4000);
    assert.equal(job.status, "completed", job.error ?? "");
    assert.equal(docsOf(printer, id).length, 1, "one document at the printer, not two");
    const kinds = await historyKinds(s, id);
    assert.ok(kinds.includes("adopted"), `${kinds}`);
  });

  it("killed after the printer answered with a job id: followed by that id, not sent again", async () => {
    const printer = await startIppPrinter({ fast: false });
    cleanup.push(() => printer.stop());
    const s = await stage(printer.uri);
    const id = await printOne(s, "Answered");
    await waitFor(async () => (await jobRow(s, id))?.phase === "sent", 30_000, "the printer's job id");
    await crashAndRestart(s, id);
    const job = await settled(s, id);
    assert.equal(job.status, "completed", job.error ?? "");
    assert.equal(docsOf(printer, id).length, 1, "printed once");
  });

  it("killed while following, then the printer forgot the finished job: counted as printed, not sent again", async () => {
    // A printer slow enough that the job is still printing when the service dies.
    const printer = await startIppPrinter({ fast: false });
    cleanup.push(() => printer.stop());
    const s = await stage(printer.uri);
    const id = await printOne(s, "Forgotten");
    await waitFor(async () => (await jobRow(s, id))?.phase === "sent", 30_000, "the printer's job id");
    const row = await jobRow(s, id);
    await s.service.kill("SIGKILL");
    // ippeveprinter forgets a completed job after about a minute.
    await waitFor(
      async () => {
        const r = await fetch(`http://127.0.0.1:${printer.port}/`).catch(() => null);
        await r?.arrayBuffer();
        const { IppDriver } = await import("../../print/drivers/ipp.driver.js");
        const target = {
          id: 0,
          name: "p",
          driver: "ipp" as const,
          uri: printer.uri,
          paper: "A4" as const,
          sides: "one-sided" as const,
          copies: 1,
          username: null,
          password: null,
        };
        const state = await new IppDriver({ timeoutMs: 3_000 }).jobState(target, String(row.printer_job_id), row.attempt_name);
        return state.state === "gone";
      },
      150_000,
      "the printer to forget the job",
    );
    await crashAndRestart(s, id);
    const job = await settled(s, id);
    assert.equal(job.status, "completed", job.error ?? "");
    assert.equal(docsOf(printer, id).length, 1, "printed once");
    const kinds = await historyKinds(s, id);
    assert.ok(kinds.includes("printed"), `${kinds}`);
  });

  it("the printer restarted while holding the job: it waits for the front desk, who decides", async () => {
    const printer = await startIppPrinter({ fast: false });
    cleanup.push(() => printer.stop());
    const s = await stage(printer.uri);
    const id = await printOne(s, "Restarted");
    await waitFor(async () => (await jobRow(s, id))?.phase === "sent", 30_000, "the printer's job id");
    await crashAndRestart(s, id, async () => {
      await printer.kill();
      await printer.start();
    });
    const job = await settled(s, id);
    assert.equal(job.status, "unconfirmed", "nothing sent again on a guess");
    assert.match(job.error, /restarted/);
    assert.equal(docsOf(printer, id).length, 1, "the one document the printer got, not a second");

    const page = await call(s.service.app, "GET", `/print-jobs/${id}/history`, { key: s.key });
    assert.ok(page.body.items.some((h: { kind: string; evidence: unknown }) => h.kind === "unconfirmed" && h.evidence));
    const decided = await call(s.service.app, "POST", `/print-jobs/${id}/decision`, {
      key: s.key,
      body: { decision: "reprint" },
    });
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    const again = await settled(s, id);
    assert.equal(again.status, "completed", again.error ?? "");
    assert.equal(docsOf(printer, id).length, 2, "printed again because the front desk said so");
    assert.deepEqual(
      (await historyKinds(s, id)).filter((k) => k.startsWith("decided")),
      ["decided-reprint"],
    );
  });
});
