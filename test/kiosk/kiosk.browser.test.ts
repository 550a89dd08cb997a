import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import jsQRModule from "jsqr";
import type { Browser, Page } from "playwright-core";
import { PNG } from "pngjs";
import { cliActor } from "../../server/core/events.js";
import { call } from "../support/api-client.js";
import { ADMIN_PASSWORD, createStaff, startTestApp, type TestApp } from "../support/app.js";
import { launchChromium } from "../support/chromium.js";
import { dialects } from "../support/databases.js";
import { pendingPerson } from "../support/kiosk.js";

const SHOTS = process.env.SCREENSHOT_DIR ?? "test-results";
const browser: Browser | null = await launchChromium();
// jsqr is CommonJS with a default export; through tsx it arrives one level down.
type Decode = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR = ((jsQRModule as unknown as { default?: Decode }).default ?? jsQRModule) as unknown as Decode;

/** What a phone camera reads off the screen: the QR code decoded from a screenshot. */
async function scan(page: Page): Promise<string | null> {
  const png = PNG.sync.read(await page.screenshot());
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? null;
}

function watchErrors(page: Page, into: string[]) {
  page.on("console", (m) => m.type() === "error" && into.push(m.text()));
  page.on("pageerror", (e) => into.push(e.message));
}

for (const dialect of await dialects()) {
  describe(`the lobby kiosk in Chromium on ${dialect}`, { skip: !browser && "Chromium not installed" }, () => {
    let app: TestApp;
    before(async () => {
      app = await startTestApp(dialect);
      await createStaff(app.ctx, "admin");
      await app.ctx.settings.update({ organizationName: "Acme Logistics" }, cliActor());
      mkdirSync(SHOTS, { recursive: true });
    });
    after(() => app.stop());

    it("enrols by its link, shows a person from the profile, and welcomes them once the scanned code is redeemed", async () => {
      const errors: string[] = [];
      const key = await (await import("../support/app.js")).createApiKey(app.ctx);
      // A Spanish kiosk in an English-speaking organization: the screen speaks the kiosk's language.
      const created = await call(app, "POST", "/kiosks", { key, body: { name: "Front lobby", site: "HQ", language: "es" } });
      assert.equal(created.status, 201);
      const person = await pendingPerson(app, "Lucía", "García Pérez", "es");

      const screenContext = await (browser as Browser).newContext({ viewport: { width: 1920, height: 1080 } });
      const screen = await screenContext.newPage();
      watchErrors(screen, errors);
      await screen.goto(created.body.enrollUrl);
      await Promise.all([
        screen.waitForURL(/\/kiosk$/, { waitUntil: "domcontentloaded" }),
        screen.click("button:has-text('Usar esta pantalla')"),
      ]);
      await screen.waitForSelector("[data-idle]:not([hidden])");
      assert.equal(await screen.textContent("[data-org]"), "Acme Logistics");
      assert.equal(await screen.getAttribute("html", "lang"), "es");
      assert.equal(await screen.textContent("[data-idle-title]"), "Te damos la bienvenida");
      assert.match((await screen.textContent("[data-idle-body]")) ?? "", /escanéalo con Chatter\.$/);
      // Spanish writes weekdays and months in lower case: "jueves, 3 de diciembre".
      assert.match((await screen.textContent("[data-date]")) ?? "", /^[a-zé]+, \d{1,2} de [a-z]+$/);
      await screen.screenshot({ path: `${SHOTS}/kiosk-idle-${dialect}.png` });

      const desk = await (browser as Browser).newPage({ viewport: { width: 1366, height: 768 } });
      watchErrors(desk, errors);
      await desk.goto(`${app.url}/login`);
      await desk.fill("#email", "admin@example.com");
      await desk.fill("#password", ADMIN_PASSWORD);
      await desk.click("button[type=submit]");
      await desk.waitForURL(/\/dashboard|\/users|\/$/);
      await desk.goto(`${app.url}/kiosks`);
      await desk.waitForSelector(`[data-kiosk-status="${created.body.id}"].is-online`);
      await desk.screenshot({ path: `${SHOTS}/kiosks-${dialect}.png`, fullPage: true });
      await desk.goto(`${app.url}/users/${person.id}`);
      await desk.selectOption("#kiosk-profile", String(created.body.id));
      await desk.click("text=Show on kiosk");
      await desk.waitForURL(new RegExp(`/kiosks/${created.body.id}\\?done=shown`));
      assert.match((await desk.textContent(".flash")) ?? "", /1 person is on this kiosk now/);
      await desk.screenshot({ path: `${SHOTS}/kiosk-admin-${dialect}.png`, fullPage: true });

      await screen.waitForSelector(".k-tile [data-name]");
      assert.equal(await screen.textContent(".k-tile [data-name]"), "Lucía G.");
      assert.equal(
        await screen.textContent(".k-tile [data-scan]"),
        "Escanea con Chatter",
        "the kiosk's language, the app's name",
      );
      const box = await screen.locator(".k-qr").boundingBox();
      assert.ok(box && box.width >= 0.4 * 1080, `the code alone takes at least 40% of the shorter side (${box?.width}px)`);
      assert.doesNotMatch((await screen.textContent("body")) ?? "", /García Pérez/);
      await screen.screenshot({ path: `${SHOTS}/kiosk-one-${dialect}.png` });

      const scanned = await scan(screen);
      assert.ok(scanned, "the QR code decodes from the screenshot");
      assert.match(scanned, new RegExp(`^${app.url}/i/k`));
      // A phone camera opens the join page: it names the person and never shows the personal link.
      const joinPage = await fetch(scanned);
      assert.equal(joinPage.status, 200);
      const joinHtml = await joinPage.text();
      assert.match(joinHtml, /Lucía/);
      assert.ok(!joinHtml.includes((await app.ctx.invitations.current(person.id)).token));

      const redeemed = await call(app, "POST", "/invitations/redeem", { body: { token: scanned } });
      assert.equal(redeemed.status, 200, JSON.stringify(redeemed.body));
      await screen.waitForSelector(".k-tile-welcome");
      assert.equal(await screen.textContent("[data-welcome]"), "¡Te damos la bienvenida, Lucía!");
      assert.equal(await screen.textContent("[data-welcome-hint]"), "Ya estás dentro. Nos vemos en Chatter.");
      await screen.locator(".k-tile-welcome").evaluate((el) => Promise.all(el.getAnimations().map((a) => a.finished)));
      await screen.screenshot({ path: `${SHOTS}/kiosk-welcome-${dialect}.png` });
      assert.equal((await app.ctx.users.get(person.id)).status, "active");

      assert.deepEqual(errors, [], "no script or CSP errors");
      await screenContext.close();
      await desk.close();
    });

    it("lays out four people on a portrait screen, each code readable", async () => {
      const { kiosk, enrollUrl } = await app.ctx.kiosks.create({ name: "Portrait" }, cliActor());
      assert.equal(kiosk.language, "en", "the organization's language when none is given");
      const ctx = await (browser as Browser).newContext({ viewport: { width: 1080, height: 1920 } });
      const screen = await ctx.newPage();
      await screen.goto(enrollUrl);
      await Promise.all([
        screen.waitForURL(/\/kiosk$/, { waitUntil: "domcontentloaded" }),
        screen.click("button:has-text('Use this screen')"),
      ]);
      for (const [first, last] of [
        ["Ada", "Lovelace"],
        ["Grace", "Hopper"],
        ["Alan", "Turing"],
        ["Edsger", "Dijkstra"],
      ]) {
        const p = await pendingPerson(app, first as string, last as string);
        await app.ctx.kiosks.display(kiosk.id, p.id, cliActor());
      }
      await screen.waitForFunction(() => document.querySelectorAll(".k-tile svg path").length === 4);
      await screen.screenshot({ path: `${SHOTS}/kiosk-portrait-four-${dialect}.png` });
      const sizes = await screen.locator(".k-qr").evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
      assert.equal(sizes.length, 4);
      for (const w of sizes) assert.ok(w >= 300, `each of four codes is large enough to scan (${w}px)`);
      await ctx.close();
    });
  });
}

after(async () => {
  await browser?.close();
});
