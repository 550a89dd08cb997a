import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { cliActor } from "../../server/core/events.js";
import { assertProblem, call } from "../support/api-client.js";
import { createApiKey, createStaff, startTestApp, type TestApp } from "../support/app.js";
import { dialects } from "../support/databases.js";
import { type IppPrinter, requireIpp, startIppPrinter } from "../support/ipp-printer.js";
import { pdfText, qrCodesPerPage } from "../support/pdf.js";
import { personInput } from "../support/people.js";
import { FAST_RETRY, finalJob, recordSends, registerPeople, sha256 } from "../support/printing.js";
import { waitFor } from "../support/process.js";

/**
 * The "done when", end to end over the API: add the local ippeveprinter, see its
 * status, print a person's letter now and watch it complete; queue 120 people and run the
 * batch: three jobs with cover sheets arrive, and every letter's code joins its person.
 */
for (const dialect of await dialects()) {
  describe(`printing end to end (${dialect})`, { skip: !requireIpp() }, () => {
    let app: TestApp;
    let printer: IppPrinter;
    let key: string;
    let printerId: number;
    let sent: ReturnType<typeof recordSends>;

    before(async () => {
      printer = await startIppPrinter();
      app = await startTestApp(dialect, { ...FAST_RETRY, PRINT_BATCH_SIZE: "50" });
      await createStaff(app.ctx, "admin");
      key = await createApiKey(app.ctx, ["users", "printers", "invitations"]);
      sent = recordSends(app);
    });
    after(async () => {
      await app?.stop();
      await printer?.stop();
    });

    test("a printer is added with its URI and driver; bad fields are named", async () => {
      const bad = await call(app, "POST", "/printers", {
        key,
        body: { name: "", uri: "ftp://printer/x", driver: "ipp", copies: 0 },
      });
      assertProblem(bad, 400);
      assert.ok(bad.body.errors.name);
      assert.match(bad.body.errors.uri, /ipp:\/\//);
      assert.ok(bad.body.errors.copies);
      const badDriver = await call(app, "POST", "/printers", { key, body: { name: "X", uri: printer.uri, driver: "lpr" } });
      assertProblem(badDriver, 400);
      assert.ok(badDriver.body.errors.driver);

      const created = await call(app, "POST", "/printers", {
        key,
        body: {
          name: "Front desk",
          uri: printer.uri,
          driver: "ipp",
          site: "Madrid",
          siteDefault: true,
          username: "desk",
          password: "s3cret-pass",
        },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      printerId = created.body.id;
      assert.equal(created.body.hasPassword, true);
      assert.ok(!JSON.stringify(created.body).includes("s3cret-pass"), "the password is never shown back");
      const listed = await call(app, "GET", "/printers", { key });
      assert.equal(listed.body.total, 1);
      assert.ok(!JSON.stringify(listed.body).includes("s3cret-pass"));
      const dup = await call(app, "POST", "/printers", { key, body: { name: "front DESK", uri: printer.uri, driver: "ipp" } });
      assertProblem(dup, 409);
    });

    test("its status comes from Get-Printer-Attributes", async () => {
      const status = await call(app, "GET", `/printers/${printerId}/status`, { key });
      assert.equal(status.status, 200);
      assert.equal(status.body.state, "idle");
      assert.deepEqual(status.body.reasons, []);
      assert.ok(status.body.formats.includes("application/pdf"));
      assert.ok(status.body.markers.length > 0);
    });

    test("print a person's letter now: the very PDF arrives, its QR code joins them", async () => {
      const person = await app.ctx.users.create(personInput({ firstName: "Zoë", lastName: "Ñúñez", site: "Madrid" }), cliActor());
      const started = await call(app, "POST", "/print-jobs", { key, body: { printerId, userIds: [person.id], when: "now" } });
      assert.equal(started.status, 201, JSON.stringify(started.body));
      assert.ok(["queued", "processing"].includes(started.body.status));
      const job = await finalJob(app, key, started.body.id);
      assert.equal(job.status, "completed", job.error ?? "");
      assert.equal(job.printerId, printerId);
      assert.equal(job.error, null);

      const spooled = printer.spooled().filter((s) => s.jobName.startsWith(`invite-station-job-${job.id}-`));
      assert.equal(spooled.length, 1, "sent once");
      const doc = spooled[0]!;
      assert.equal(sha256(doc.pdf), sent.get(doc.jobName)?.sha, "the printer got the PDF the worker sent");
      assert.match(await pdfText(doc.pdf), /Zoë/);
      const [link] = await qrCodesPerPage(doc.pdf);
      assert.ok(link?.startsWith(`${app.url}/i/`), `the QR code is the person's link: ${link}`);
      const redeemed = await call(app, "POST", "/invitations/redeem", { body: { token: link } });
      assert.equal(redeemed.status, 200, JSON.stringify(redeemed.body));
      assert.equal(redeemed.body.user.id, person.id);
      assert.equal((await app.ctx.users.get(person.id)).status, "active");

      // Joined now: no more paper for them.
      assertProblem(await call(app, "POST", "/print-jobs", { key, body: { printerId, userIds: [person.id], when: "now" } }), 409);
      assertProblem(
        await call(app, "POST", "/print-jobs", { key, body: { printerId, userIds: [person.id], when: "tonight" } }),
        409,
      );
    });

    test("print requests are validated field by field", async () => {
      const bad = await call(app, "POST", "/print-jobs", { key, body: { printerId: "x", userIds: "1", when: "later" } });
      assertProblem(bad, 400);
      assert.deepEqual(Object.keys(bad.body.errors).sort(), ["printerId", "userIds", "when"]);
      const unknown = await call(app, "POST", "/print-jobs", { key, body: { printerId, userIds: [999999], when: "now" } });
      assertProblem(unknown, 400);
      assert.match(unknown.body.errors.userIds, /999999/);
      const noPrinter = await call(app, "POST", "/print-jobs", { key, body: { printerId: 424242, userIds: [1], when: "now" } });
      assertProblem(noPrinter, 400);
      assert.ok(noPrinter.body.errors.printerId);
      assertProblem(await call(app, "GET", "/print-jobs/999999", { key }), 404);
    });

    test("120 people queued for tonight: the batch prints three jobs with cover sheets, every code joins the right person", async () => {
      const ids = await registerPeople(app, 120, "Batch");
      const queued = await call(app, "POST", "/print-jobs", { key, body: { printerId, userIds: ids, when: "tonight" } });
      assert.equal(queued.status, 202, JSON.stringify(queued.body));
      assert.equal(queued.body.queued, 120);

      const run = await call(app, "POST", "/print-batches/run", { key });
      assert.equal(run.status, 201, JSON.stringify(run.body));
      assert.deepEqual(
        run.body.jobs.map((j: { letters: number }) => j.letters),
        [50, 50, 20],
      );
      const jobs = [];
      for (const j of run.body.jobs) jobs.push(await finalJob(app, key, j.id));
      assert.deepEqual(
        jobs.map((j) => j.status),
        ["completed", "completed", "completed"],
        jobs.map((j) => j.error).join("; "),
      );

      const people = new Map((await Promise.all(ids.map((id) => app.ctx.users.get(id)))).map((u) => [u.id, u]));
      const joined = new Set<number>();
      let previous: { site: string; department: string; last: string } | null = null;
      for (const [i, job] of jobs.entries()) {
        const docs = printer.spooled().filter((s) => s.jobName.startsWith(`invite-station-job-${job.id}-`));
        assert.equal(docs.length, 1, `job ${i + 1} was sent once`);
        const doc = docs[0]!;
        assert.equal(sha256(doc.pdf), sent.get(doc.jobName)?.sha);
        const pages = (await pdfText(doc.pdf)).split("\f");
        assert.match(
          pages[0] ?? "",
          new RegExp(`${i + 1}\\s*(of|/)\\s*3|Job ${i + 1}`, "i"),
          "the cover sheet says which job it is",
        );
        const codes = await qrCodesPerPage(doc.pdf);
        // The cover sheet (a page, or two for a long list of names) comes first, without a code.
        const coverPages = codes.findIndex((c) => c !== null);
        assert.ok(coverPages >= 1, "the job starts with its cover sheet");
        assert.equal(codes.length - coverPages, job.letters, "then one page per letter");
        for (const [p, link] of codes.slice(coverPages).entries()) {
          assert.ok(link, `letter ${p + 1} of job ${i + 1} has a readable code`);
          const r = await call(app, "POST", "/invitations/redeem", { body: { token: link } });
          assert.equal(r.status, 200, JSON.stringify(r.body));
          const person = people.get(r.body.user.id);
          assert.ok(person, "the code is one of the queued people's");
          assert.ok(!joined.has(person.id), "no letter twice");
          joined.add(person.id);
          // The page with this code greets this person, and the pages come out sorted.
          assert.ok((pages[p + coverPages] ?? "").includes(person.firstName), `letter ${p + 1} is ${person.firstName}'s`);
          const key = { site: person.site ?? "\uffff", department: person.department ?? "\uffff", last: person.lastName };
          if (previous) {
            const order = [previous.site.localeCompare(key.site, "en"), previous.department.localeCompare(key.department, "en")];
            assert.ok(order[0]! < 0 || (order[0] === 0 && order[1]! <= 0), "sorted by site, then department");
          }
          previous = key;
        }
      }
      assert.equal(joined.size, 120, "every queued person got exactly one letter");
      assert.equal(await app.ctx.print.jobs.waitingCount(), 0, "the queue is empty");

      // The admins hear how it went.
      const summary = await waitFor(async () => {
        const rows = await app.ctx.db("outbox").where({ kind: "print-summary" });
        return rows.length ? rows : null;
      });
      assert.equal(summary[0].recipient, "admin@example.com");
      assert.match(JSON.parse(summary[0].payload).subject, /120 letters printed/);
    });
  });
}
