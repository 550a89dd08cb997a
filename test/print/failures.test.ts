import assert from "node:assert/strict";
import { after, afterEach, describe, test } from "node:test";
import type { PrintJob } from "../../print/queue/jobs.repo.js";
import { cliActor } from "../../server/core/events.js";
import { call } from "../support/api-client.js";
import { createApiKey, startOn, startTestApp, type TestApp } from "../support/app.js";
import { dialects, freshDatabase } from "../support/databases.js";
import { type IppPrinter, requireIpp, startIppPrinter } from "../support/ipp-printer.js";
import { qrCodesPerPage, samplePdf } from "../support/pdf.js";
import { FAST_RETRY, finalJob, registerPeople } from "../support/printing.js";

/** The letters that reached the printer for these jobs, as decoded codes (a repeat would show twice). */
async function lettersAtPrinter(printer: IppPrinter, jobIds: number[]): Promise<string[]> {
  const codes: string[] = [];
  for (const doc of printer.spooled()) {
    if (!jobIds.some((id) => doc.jobName.startsWith(`invite-station-job-${id}-`))) continue;
    for (const c of await qrCodesPerPage(doc.pdf)) if (c) codes.push(c);
  }
  return codes;
}

async function addPrinter(app: TestApp, key: string, printer: IppPrinter): Promise<number> {
  const r = await call(app, "POST", "/printers", {
    key,
    body: { name: "Desk", uri: printer.uri, driver: "ipp", siteDefault: true },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

for (const dialect of await dialects()) {
  describe(`printing when things go wrong (${dialect})`, { skip: !requireIpp() }, () => {
    const cleanup: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const c of cleanup.splice(0).reverse()) await c();
    });
    after(async () => {
      for (const c of cleanup.splice(0).reverse()) await c();
    });

    /** A fresh ippeveprinter and a service on a fresh database with it added (the site's default). */
    async function printerAndApp(env: Record<string, string>) {
      const printer = await startIppPrinter();
      cleanup.push(() => printer.stop());
      const app = await startTestApp(dialect, env);
      cleanup.push(() => app.stop());
      const key = await createApiKey(app.ctx, ["printers", "invitations"]);
      return { printer, app, key, printerId: await addPrinter(app, key, printer) };
    }

    test("a printer switched off in the middle of a batch is retried; the batch resumes without duplicates", async () => {
      const { printer, app, key, printerId } = await printerAndApp({ ...FAST_RETRY, PRINT_BATCH_SIZE: "2" });
      const ids = await registerPeople(app, 6);
      await app.ctx.print.jobs.queueTonight(printerId, ids, cliActor());

      // After the first job prints, the printer goes off; it comes back once a retry was scheduled.
      let off = false;
      let retried = false;
      app.ctx.events.on("print.job.completed", async () => {
        if (off) return;
        off = true;
        await printer.kill();
      });
      app.ctx.events.on("print.job.updated", (e) => {
        const job = e.job as PrintJob;
        if (off && !retried && job.status === "queued" && job.attempts >= 1 && job.error) {
          retried = true;
          assert.match(job.error, /refused|dropped|cannot be reached|did not answer|cut off/);
          void printer.start();
        }
      });

      const run = await app.ctx.print.batch.run("cli", cliActor());
      assert.equal(run.jobs.length, 3);
      const jobs = [];
      for (const j of run.jobs) jobs.push(await finalJob(app, key, j.id));
      assert.deepEqual(
        jobs.map((j) => j.status),
        ["completed", "completed", "completed"],
        jobs.map((j) => j.error).join("; "),
      );
      assert.ok(retried, "a job was retried while the printer was off");
      assert.ok(jobs[1]!.attempts >= 2, "the second job needed another attempt");
      const codes = await lettersAtPrinter(
        printer,
        jobs.map((j) => j.id),
      );
      assert.equal(codes.length, 6, "six letters reached the printer");
      assert.equal(new Set(codes).size, 6, "none of them twice");
    });

    test("a busy printer answers server-error-busy; the job is retried until it prints", async () => {
      const printer = await startIppPrinter({ fast: false });
      cleanup.push(() => printer.stop());
      const app = await startTestApp(dialect, FAST_RETRY);
      cleanup.push(() => app.stop());
      const key = await createApiKey(app.ctx, ["printers", "invitations"]);
      const printerId = await addPrinter(app, key, printer);
      // Someone else's long job keeps the printer busy.
      const target = await app.ctx.print.printers.target(printerId);
      await app.ctx.print.printers
        .driverOf(target)
        .submit(target, { pdf: await samplePdf("other"), jobName: "other", userName: "x" });
      const errors: string[] = [];
      app.ctx.events.on("print.job.updated", (e) => {
        const job = e.job as PrintJob;
        if (job.error) errors.push(job.error);
      });
      const [id] = await registerPeople(app, 1);
      const job = await app.ctx.print.jobs.printNow(printerId, [id as number], cliActor());
      const done = await finalJob(app, key, job.id, 240_000);
      assert.equal(done.status, "completed", done.error ?? "");
      assert.ok(done.attempts >= 2, "it took more than one attempt");
      assert.ok(
        errors.some((e) => /server-error-busy|printer is stopped|processing/.test(e) || /busy/.test(e)),
        `the printer's reason was shown: ${errors.join(" | ")}`,
      );
      assert.equal((await lettersAtPrinter(printer, [job.id])).length, 1);
      // A refusal is an answer: the retry sends again without judging whether a refused attempt printed.
      const history = await call(app, "GET", `/print-jobs/${job.id}/history`, { key });
      const kinds: string[] = history.body.items.map((h: { kind: string }) => h.kind);
      assert.deepEqual(
        kinds.filter((k) => k === "not-received" || k === "unconfirmed" || k === "adopted"),
        [],
        `no reconciliation in ${kinds.join(", ")}`,
      );
    });

    test("a printer that stays away fails the job after the retries, with its reason; its people stay queued", async () => {
      const { printer, app, key, printerId } = await printerAndApp({ PRINT_RETRY_SECONDS: "1", PRINT_RETRY_LIMIT: "2" });
      await printer.kill();
      const ids = await registerPeople(app, 2);
      await app.ctx.print.jobs.queueTonight(printerId, ids, cliActor());
      const run = await app.ctx.print.batch.run("cli", cliActor());
      const done = await finalJob(app, key, run.jobs[0]!.id);
      assert.equal(done.status, "failed");
      assert.equal(done.attempts, 3, "the first attempt and two retries");
      assert.match(done.error ?? "", /refused the connection|cannot be reached|dropped/);
      assert.match(done.error ?? "", /Gave up after 3 attempts/);
      assert.equal(await app.ctx.print.jobs.waitingCount(), 2, "they wait for the next night");
    });

    test("people whose link expired or was revoked are left waiting; the rest of the batch prints", async () => {
      const { printer, app, key, printerId } = await printerAndApp(FAST_RETRY);
      const [fine, revoked, expired] = (await registerPeople(app, 3)) as [number, number, number];
      await app.ctx.print.jobs.queueTonight(printerId, [fine, revoked, expired], cliActor());
      await app.ctx.invitations.revoke(revoked, cliActor());
      const old = await app.ctx.invitations.current(expired);
      await app.ctx
        .db("invitations")
        .where({ id: old.id })
        .update({ expires_at: Date.now() - 1000 });

      const run = await app.ctx.print.batch.run("cli", cliActor());
      assert.equal(run.deadLinks, 2);
      assert.equal(run.jobs.length, 1);
      assert.equal(run.jobs[0]?.letters, 1);
      const done = await finalJob(app, key, run.jobs[0]!.id);
      assert.equal(done.status, "completed", done.error ?? "");
      assert.deepEqual(await lettersAtPrinter(printer, [done.id]), [(await app.ctx.invitations.current(fine)).url]);
      assert.equal(await app.ctx.print.jobs.waitingCount(), 2, "they wait for a new link and the next batch");
      // The Print jobs page names them, for the front desk to make new links.
      const needy = await app.ctx.print.batch.waitingWithDeadLinks();
      assert.equal(needy.total, 2);
      assert.deepEqual(needy.people.map((p) => p.id).sort(), [revoked, expired].sort());

      // A new link, and the next batch prints them.
      await app.ctx.invitations.regenerate(revoked, cliActor());
      await app.ctx.invitations.regenerate(expired, cliActor());
      const next = await app.ctx.print.batch.run("cli", cliActor());
      assert.equal(next.deadLinks, 0);
      assert.equal(next.jobs[0]?.letters, 2);
      assert.equal((await finalJob(app, key, next.jobs[0]!.id)).status, "completed");
      assert.equal(await app.ctx.print.jobs.waitingCount(), 0);
    });

    test("three batch runs at once on one instance print every letter once", async () => {
      const { printer, app, key, printerId } = await printerAndApp({ ...FAST_RETRY, PRINT_BATCH_SIZE: "5" });
      const ids = await registerPeople(app, 30);
      await app.ctx.print.jobs.queueTonight(printerId, ids, cliActor());
      const runs = await Promise.all([
        app.ctx.print.batch.run("button", cliActor()),
        app.ctx.print.batch.run("schedule", cliActor()),
        app.ctx.print.batch.run("api", cliActor()),
      ]);
      const jobIds = runs.flatMap((r) => r.jobs.map((j) => j.id));
      assert.equal(
        runs.reduce((n, r) => n + r.jobs.reduce((m, j) => m + j.letters, 0), 0),
        30,
        "the three runs planned 30 letters between them",
      );
      for (const id of jobIds) assert.equal((await finalJob(app, key, id)).status, "completed");
      const codes = await lettersAtPrinter(printer, jobIds);
      assert.equal(codes.length, 30);
      assert.equal(new Set(codes).size, 30, "none of them twice");
    });

    test("a restart of the service in the middle of a batch prints nothing twice", async () => {
      const printer = await startIppPrinter();
      cleanup.push(() => printer.stop());
      const database = await freshDatabase(dialect);
      cleanup.push(() => database.drop());
      const env = { ...FAST_RETRY, PRINT_BATCH_SIZE: "2" };
      let app = await startOn(database, env);
      const key = await createApiKey(app.ctx, ["printers", "invitations"]);
      const printerId = await addPrinter(app, key, printer);
      const ids = await registerPeople(app, 6);
      await app.ctx.print.jobs.queueTonight(printerId, ids, cliActor());

      // Stop the service as soon as the second job is at the printer, before it is seen completed.
      // The listener holds this first instance: `app` is the second one by the time a late event comes.
      const first = app;
      let stopping: Promise<void> | null = null;
      const stopped = new Promise<void>((resolve, reject) => {
        first.ctx.events.on("print.job.sent", async () => {
          if (stopping) return;
          const sent = await first.ctx
            .db("print_jobs")
            .where({ phase: "sent" })
            .count({ n: "*" })
            .first()
            .catch(() => undefined);
          if (stopping || Number(sent?.n) < 2) return;
          stopping = first.stop();
          stopping.then(resolve, reject);
        });
      });
      const run = await first.ctx.print.batch.run("cli", cliActor());
      const jobIds = run.jobs.map((j) => j.id);
      await stopped;

      app = await startOn(database, env);
      cleanup.push(() => app.stop());
      const jobs = [];
      for (const id of jobIds) jobs.push(await finalJob(app, key, id));
      assert.deepEqual(
        jobs.map((j) => j.status),
        ["completed", "completed", "completed"],
        jobs.map((j) => j.error).join("; "),
      );
      const codes = await lettersAtPrinter(printer, jobIds);
      assert.equal(codes.length, 6);
      assert.equal(new Set(codes).size, 6, "no letter printed twice");
    });

    test("a crash between sending and recording is reconciled by asking the printer for the job's name", async () => {
      const { printer, app, key, printerId } = await printerAndApp(FAST_RETRY);
      await app.ctx.print.worker.stop();
      const [id] = await registerPeople(app, 1);
      const job = await app.ctx.print.jobs.printNow(printerId, [id as number], cliActor());
      // As a process that died right after the printer took the document leaves it:
      // the attempt's name saved, the printer's job id not yet, its claim run out.
      const jobName = `invite-station-job-${job.id}-a1-dead00`;
      await app.ctx.db("print_jobs").where({ id: job.id }).update({
        status: "processing",
        phase: "sending",
        attempt_name: jobName,
        attempts: 1,
        claimed_by: "crashed-instance",
        claim_expires_at: 0,
      });
      const target = await app.ctx.print.printers.target(printerId);
      const pdf = await app.ctx.letters.render({ userIds: [id as number], paper: "A4" });
      const { printerJobId } = await app.ctx.print.printers.driverOf(target).submit(target, { pdf, jobName, userName: "x" });

      app.ctx.print.worker.start();
      const done = await finalJob(app, key, job.id);
      assert.equal(done.status, "completed", done.error ?? "");
      assert.equal(done.printerJobId, printerJobId, "the printer's job was adopted");
      const docs = printer.spooled().filter((d) => d.jobName.startsWith(`invite-station-job-${job.id}-`));
      assert.deepEqual(
        docs.map((d) => d.jobName),
        [jobName],
        "not sent a second time",
      );
    });
  });
}
