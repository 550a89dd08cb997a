import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { cliActor } from "../../server/core/events.js";
import { ADMIN_PASSWORD, createStaff, startTestApp, type TestApp } from "../support/app.js";
import { launchChromium } from "../support/chromium.js";
import { type IppPrinter, requireIpp, startIppPrinter } from "../support/ipp-printer.js";
import { personInput } from "../support/people.js";
import { FAST_RETRY, registerPeople } from "../support/printing.js";

/** Where to keep screenshots of the print pages (to look at them), when set. */
const SHOTS = process.env.PRINT_SCREENSHOTS;

const browser: Browser | null = requireIpp() ? await launchChromium() : null;

describe("print pages in Chromium", { skip: !browser }, () => {
  let app: TestApp;
  let printer: IppPrinter;
  let page: Page;
  const shot = async (name: string) => {
    if (!SHOTS) return;
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  };

  before(async () => {
    printer = await startIppPrinter();
    app = await startTestApp("sqlite", FAST_RETRY);
    await createStaff(app.ctx, "admin");
    page = await (browser as Browser).newPage({ viewport: { width: 1366, height: 768 } });
    const csp: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy/.test(m.text())) csp.push(m.text());
    });
    await page.goto(`${app.url}/printers`);
    await page.fill("#email", "admin@example.com");
    await page.fill("#password", ADMIN_PASSWORD);
    await page.click("button[type=submit]");
    await page.waitForURL(/\/printers$/);
    assert.deepEqual(csp, []);
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
    await printer?.stop();
  });

  test("an admin adds the local printer with the form, a bad URI is named, and its page shows its status", async () => {
    await page.click("text=+ Add a printer");
    await shot("printer-form");
    await page.fill("#name", "Front desk");
    await page.fill("#site", "Madrid");
    await page.fill("#uri", "ftp://nowhere");
    await page.click("button:has-text('Add printer')");
    assert.match((await page.textContent("#uri-error")) ?? "", /ipp:\/\//);
    await page.fill("#uri", printer.uri);
    await page.check("input[name=siteDefault]");
    await page.click("button:has-text('Add printer')");
    await page.waitForURL(/\/printers\/\d+\?done=printer-created/);
    assert.match((await page.textContent("main")) ?? "", /Ready/);
    assert.match((await page.textContent("main")) ?? "", /application\/pdf/);
    await page.click("button:has-text('Test')");
    assert.match((await page.textContent(".flash")) ?? "", /the printer answered/);
    await shot("printer-show");
    await page.goto(`${app.url}/printers`);
    await page.waitForSelector("[data-printer-status] .badge-send-sent");
    await shot("printers-list");
  });

  test("Print invitation on a profile: the job page follows it live until it is printed", async () => {
    const person = await app.ctx.users.create(
      personInput({ firstName: "Ana", lastName: "Iglesias", site: "Madrid" }),
      cliActor(),
    );
    await page.goto(`${app.url}/users/${person.id}`);
    assert.equal(
      await page.inputValue("#print-printer"),
      String((await app.ctx.print.printers.list())[0]?.id),
      "the site's default printer is chosen",
    );
    await shot("profile-print-card");
    await page.click("button:has-text('Print invitation')");
    await page.waitForURL(/\/print-jobs\/\d+$/);
    await page.waitForSelector("[data-job-badge]:has-text('Printed')", { timeout: 60_000 });
    assert.match((await page.textContent("[data-printer-state]")) ?? "", /completed/);
    await shot("print-job");
  });

  test("a selection is queued for tonight, and Run the batch now prints it", async () => {
    const ids = await registerPeople(app, 4, "Sel");
    await page.goto(`${app.url}/print?${ids.map((id) => `ids=${id}`).join("&")}`);
    await shot("print-choose");
    await page.click("button:has-text('Queue for overnight printing')");
    await page.waitForURL(/done=print-queued/);
    assert.equal(await app.ctx.print.jobs.waitingCount(), 4);
    await page.goto(`${app.url}/print-jobs`);
    page.once("dialog", (d) => void d.accept());
    await page.click("button:has-text('Run the batch now')");
    await page.waitForURL(/\/print-jobs\?batch=\d+&done=batch-started/);
    await page.waitForFunction(
      () => Array.from(document.querySelectorAll("[data-job-badge]")).every((b) => b.textContent === "Printed"),
      null,
      {
        timeout: 60_000,
      },
    );
    await shot("print-jobs");
  });

  test("in Spanish, the live updates speak Spanish: a job's state and a printer's status", async () => {
    const admin = (await app.ctx.admins.list()).find((a) => a.email === "admin@example.com");
    assert.ok(admin);
    await app.ctx.admins.setLanguage(admin.id, "es");
    try {
      const [id] = await registerPeople(app, 1, "Es");
      const printerId = (await app.ctx.print.printers.list())[0]?.id as number;
      // Held back until the page is open, so that the page sees it change.
      await app.ctx.print.worker.stop();
      const job = await app.ctx.print.jobs.printNow(printerId, [id as number], cliActor());
      await page.goto(`${app.url}/print-jobs/${job.id}`);
      assert.equal((await page.textContent("[data-job-badge]"))?.trim(), "En cola");
      app.ctx.print.worker.start();
      await page.waitForSelector("[data-job-badge]:has-text('Impreso')", { timeout: 60_000 });
      assert.match((await page.textContent("[data-printer-state]")) ?? "", /^En la impresora: completed$/);
      await page.goto(`${app.url}/printers`);
      await page.waitForSelector("[data-printer-status] .badge-send-sent");
      assert.equal((await page.textContent("[data-printer-status] .badge"))?.trim(), "Lista");
    } finally {
      app.ctx.print.worker.start();
      await app.ctx.admins.setLanguage(admin.id, null);
    }
  });
});
