import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { cliActor } from "../../server/core/events.js";
import { call } from "../support/api-client.js";
import { createApiKey, startTestApp, type TestApp } from "../support/app.js";
import { dialects } from "../support/databases.js";
import { type IppPrinter, requireIpp, startIppPrinter } from "../support/ipp-printer.js";
import { qrCodesPerPage } from "../support/pdf.js";
import { finalJob, registerPeople } from "../support/printing.js";
import { ROOT, runCli } from "../support/process.js";
import { requireOrSkip } from "../support/services.js";

function cupsProblem(): string | null {
  // cupsd may have stopped since the services script ran: it starts it again (idempotent, quick).
  if (!cupsAnswers())
    execFileSync("bash", ["scripts/test-services.sh", "cups"], { cwd: ROOT, stdio: "ignore", timeout: 120_000 });
  return cupsAnswers() ? null : "cupsd does not answer on localhost:631";
}

function cupsAnswers(): boolean {
  try {
    return /is running/.test(execFileSync("lpstat", ["-h", "localhost:631", "-r"], { encoding: "utf8", timeout: 5_000 }));
  } catch {
    return false;
  }
}

const cupsReady = requireOrSkip("CUPS", cupsProblem(), "bash scripts/test-services.sh cups") && requireIpp();

/** The same printing through a CUPS queue (lp, lpstat): a second, different IPP server in front of ippeveprinter. */
for (const dialect of await dialects()) {
  describe(`printing through a CUPS queue (${dialect})`, { skip: !cupsReady }, () => {
    let printer: IppPrinter;
    let app: TestApp;
    let key: string;
    let printerId: number;
    let queue: string;

    before(async () => {
      printer = await startIppPrinter();
      queue = `InviteStation_${printer.port}`;
      // As root, lpadmin reaches cupsd over its local socket (over TCP it would ask for a password).
      execFileSync("lpadmin", ["-p", queue, "-E", "-v", printer.uri, "-m", "everywhere"], {
        timeout: 60_000,
        stdio: ["ignore", "pipe", "pipe"],
      });
      app = await startTestApp(dialect, { PRINT_RETRY_SECONDS: "1", PRINT_RETRY_LIMIT: "5", PRINT_BATCH_SIZE: "2" });
      key = await createApiKey(app.ctx, ["printers", "invitations"]);
    });
    after(async () => {
      await app?.stop();
      if (queue) execFileSync("lpadmin", ["-x", queue], { stdio: ["ignore", "pipe", "pipe"] });
      await printer?.stop();
    });

    test("a CUPS queue is added, its status read over IPP from cupsd", async () => {
      const r = await call(app, "POST", "/printers", {
        key,
        body: { name: "CUPS desk", driver: "cups", uri: `ipp://localhost:631/printers/${queue}` },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      printerId = r.body.id;
      const status = await call(app, "GET", `/printers/${printerId}/status`, { key });
      assert.ok(["idle", "processing"].includes(status.body.state), JSON.stringify(status.body));
      const notAQueue = await call(app, "POST", "/printers", { key, body: { name: "Bad", driver: "cups", uri: printer.uri } });
      assert.equal(notAQueue.status, 400);
      assert.match(notAQueue.body.errors.uri, /printers\/NAME/);
    });

    test("print now goes through lp, its state through lpstat, and the letter's code joins", async () => {
      const before = printer.spooled().length;
      const [id] = await registerPeople(app, 1, "Cups");
      const job = await app.ctx.print.jobs.printNow(printerId, [id as number], cliActor());
      const done = await finalJob(app, key, job.id);
      assert.equal(done.status, "completed", done.error ?? "");
      assert.match(done.printerJobId ?? "", new RegExp(`^${queue}-\\d+$`), "the CUPS request id");
      const arrived = printer.spooled().slice(before);
      assert.equal(arrived.length, 1, "one document reached the printer behind CUPS");
      const [link] = await qrCodesPerPage(arrived[0]!.pdf);
      const redeemed = await call(app, "POST", "/invitations/redeem", { body: { token: link } });
      assert.equal(redeemed.status, 200, JSON.stringify(redeemed.body));
      assert.equal(redeemed.body.user.id, id);
    });

    test("`cli print batch` prints the queue through CUPS and reports each job", async () => {
      const before = printer.spooled().length;
      const ids = await registerPeople(app, 3, "Night");
      await app.ctx.print.jobs.queueTonight(printerId, ids, cliActor());
      const env = { ...app.database.env, PRINT_BATCH_SIZE: "2", PRINT_RETRY_SECONDS: "1" };
      const out = await runCli(["print", "batch"], env);
      assert.equal(out.code, 0, out.stderr);
      const lines = out.stdout.trim().split("\n");
      assert.equal(lines.length, 3, out.stdout);
      assert.match(lines[0]!, /job 1 of 2, 2 letters: completed$/);
      assert.match(lines[1]!, /job 2 of 2, 1 letter: completed$/);
      assert.match(lines[2]!, /^batch #\d+: 2 jobs, 3 letters printed$/);
      const codes: string[] = [];
      for (const doc of printer.spooled().slice(before)) for (const c of await qrCodesPerPage(doc.pdf)) if (c) codes.push(c);
      assert.equal(codes.length, 3);
      assert.equal(new Set(codes).size, 3);
    });
  });
}
