import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { cliActor } from "../../server/core/events.js";
import { ADMIN_PASSWORD, createStaff, startTestApp, type TestApp } from "../support/app.js";
import { PageClient } from "../support/browser-client.js";
import { registerPeople } from "../support/printing.js";

/**
 * A print job's page without a printer: the worker is stopped and the job's state is set
 * as the worker would leave it. The front desk's decision form, a job a spooler took, and
 * the words the live script gets in the page's language.
 */
describe("a print job's page", () => {
  let app: TestApp;
  let page: PageClient;
  let adminId: number;
  let printerId: number;

  before(async () => {
    app = await startTestApp("sqlite");
    await app.ctx.print.worker.stop();
    adminId = (await createStaff(app.ctx, "admin")).id;
    page = new PageClient(app.url);
    await page.signIn("admin@example.com", ADMIN_PASSWORD);
    // Never printed to: the worker is stopped.
    printerId = (
      await app.ctx.print.printers.create({ name: "Desk", uri: "ipp://127.0.0.1:9/ipp/print", driver: "ipp" }, cliActor())
    ).id;
  });
  after(async () => {
    await app?.stop();
  });

  /** A job of one person, left by the worker in `status` (and `printerState`). */
  async function jobIn(status: string, printerState: string | null = null): Promise<number> {
    const [id] = await registerPeople(app, 1, `Job${status}`);
    const job = await app.ctx.print.jobs.printNow(printerId, [id as number], cliActor());
    await app.ctx.db("print_jobs").where({ id: job.id }).update({ status, printer_state: printerState });
    return job.id;
  }

  test("an unknown decision is refused, naming the field, and changes nothing", async () => {
    const id = await jobIn("unconfirmed");
    await page.get(`/print-jobs/${id}`);
    const refused = await page.post(`/print-jobs/${id}/decision`, { decision: "sure" });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /decision/);
    assert.equal((await app.ctx.print.jobs.get(id)).status, "unconfirmed", "not printed again");
    assert.deepEqual(await app.ctx.print.jobs.history(id), [], "no decision written");
    const none = await page.post(`/print-jobs/${id}/decision`, {});
    assert.equal(none.status, 400);
    assert.equal((await app.ctx.print.jobs.get(id)).status, "unconfirmed");

    const marked = await page.post(`/print-jobs/${id}/decision`, { decision: "printed" });
    assert.equal(marked.status, 303);
    assert.match(marked.headers.get("location") ?? "", /done=print-marked-printed/);
    assert.equal((await app.ctx.print.jobs.get(id)).status, "completed");
  });

  test("a job handed to a spooler says so, not that it printed", async () => {
    const id = await jobIn("completed", "spooled");
    const shown = await page.get(`/print-jobs/${id}`);
    assert.match(shown.text, /data-job-badge>Handed to the spooler</);
    assert.doesNotMatch(shown.text, /data-job-badge>Printed</);
  });

  test("the live script's words come with the page, in its language", async () => {
    const id = await jobIn("queued");
    await app.ctx.admins.setLanguage(adminId, "es");
    try {
      const shown = await page.get(`/print-jobs/${id}`);
      assert.match(shown.text, /data-job-badge>En cola</);
      const attr = /<script src="\/assets\/print-live.js" defer data-labels="([^"]+)"/.exec(shown.text);
      assert.ok(attr, "the script carries its words");
      const unescaped = (attr[1] as string)
        .replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)))
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">")
        .replace(/&amp;/g, "&");
      const labels = JSON.parse(unescaped);
      assert.equal(labels.job.completed, "Impreso");
      assert.equal(labels.job.spooled, "Entregado a la cola de impresión");
      assert.equal(labels.printer.idle, "Lista");
      assert.equal(labels.atThePrinter, "En la impresora: {state}");
      const script = await fetch(`${app.url}/assets/print-live.js`);
      assert.equal(script.status, 200);
      assert.doesNotMatch(await script.text(), /"Printed"|"Ready"|Not at the printer yet/, "no English words of its own");
    } finally {
      await app.ctx.admins.setLanguage(adminId, null);
    }
  });
});
