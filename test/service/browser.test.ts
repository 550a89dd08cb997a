import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { cliActor } from "../../server/core/events.js";
import { ADMIN_PASSWORD, createStaff, startTestApp, type TestApp } from "../support/app.js";
import { launchChromium } from "../support/chromium.js";
import { dialects } from "../support/databases.js";

const SHOTS = process.env.SCREENSHOT_DIR ?? "test-results";

const browser: Browser | null = await launchChromium();

for (const dialect of await dialects()) {
  describe(`in Chromium on ${dialect}`, { skip: !browser && "Chromium not installed" }, () => {
    let app: TestApp;
    before(async () => {
      app = await startTestApp(dialect);
      await createStaff(app.ctx, "frontdesk", "desk@example.com");
      await app.ctx.groups.create("Warehouse", cliActor());
      mkdirSync(SHOTS, { recursive: true });
    });
    after(async () => {
      await app.stop();
    });

    it("signs in, registers a person, and sees them pending in the list and in their group", async () => {
      const page = await (browser as Browser).newPage({ viewport: { width: 1366, height: 850 } });
      const consoleErrors: string[] = [];
      // A refused form answers 400 on purpose; what must never appear is a script error or a CSP refusal.
      page.on("console", (m) => m.type() === "error" && !/status of 400/.test(m.text()) && consoleErrors.push(m.text()));
      page.on("pageerror", (e) => consoleErrors.push(e.message));

      await page.goto(`${app.url}/users`);
      assert.match(page.url(), /\/login\?next=/);
      await page.fill("#email", "desk@example.com");
      await page.fill("#password", ADMIN_PASSWORD);
      await page.click("button[type=submit]");
      await page.waitForURL(/\/users$/);

      await page.click("text=+ Register a person");
      await page.fill("#firstName", "Lucía");
      await page.fill("#lastName", "García Pérez");
      await page.fill("#email", "lucia.garcia@example.com");
      await page.fill("#phone", "612 345 678");
      // Without consent the phone is refused and what was typed stays.
      await page.click("text=Register person");
      await page.waitForSelector("#phoneConsent-error");
      assert.equal(await page.inputValue("#firstName"), "Lucía");
      await page.check("#phoneConsent");
      await page.check("text=Warehouse");
      await page.selectOption("#language", "es");
      await page.click("text=Register person");
      await page.waitForURL(/\/users\/\d+\?done=created/);
      assert.match((await page.textContent("h1")) ?? "", /Lucía García Pérez/);
      assert.match((await page.textContent(".details")) ?? "", /\+34612345678/);
      await page.screenshot({ path: `${SHOTS}/profile-${dialect}.png`, fullPage: true });

      await page.goto(`${app.url}/users`);
      const row = page.locator("tr.is-pending", { hasText: "Lucía García Pérez" });
      await row.waitFor();
      // Greyed out, with a visible clock and a text alternative for screen readers.
      assert.equal(await row.locator(".avatar-clock").isVisible(), true);
      assert.match((await row.locator(".sr-only").first().textContent()) ?? "", /invitation pending/);
      const nameColor = await row.locator(".name").evaluate((el) => getComputedStyle(el).color);
      assert.equal(nameColor, "rgb(102, 112, 133)", "greyed, and still 4.5:1 on white");
      const filter = await row.locator(".avatar").evaluate((el) => getComputedStyle(el).filter);
      assert.equal(filter, "grayscale(1)");
      await page.screenshot({ path: `${SHOTS}/users-${dialect}.png`, fullPage: true });

      await page.fill("#q", "garc");
      await page.press("#q", "Enter");
      await page.waitForURL(/q=garc/);
      assert.equal(await page.locator("tbody tr.is-pending").count(), 1);

      await page.click("a.chip:has-text('Warehouse')");
      await page.waitForURL(/\/groups\/\d+/);
      assert.match(
        (await page.textContent(".banner")) ?? "",
        /1 member has not joined yet and won.t read messages sent to this group/,
      );
      assert.equal(await page.locator("tr.is-pending .avatar-clock").count(), 1);
      await page.screenshot({ path: `${SHOTS}/group-${dialect}.png`, fullPage: true });

      assert.deepEqual(consoleErrors, [], "no script or CSP errors in the console");
      await page.close();
    });
  });
}

after(async () => {
  await browser?.close();
});
