import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ADMIN_PASSWORD, startTestApp, type TestApp } from "../support/app.js";
import { describeFindings, seriousViolations, sidewaysOverflow } from "../support/axe.js";
import { launchChromium } from "../support/chromium.js";
import { adminPages, type Lang, type Showcase, seedShowcase } from "../support/showcase.js";

const browser: Browser | null = await launchChromium();
const LANGS: Lang[] = ["en", "es"];

/** The page's axe report and sideways scroll, as one message naming what is wrong. */
async function problems(page: Page): Promise<string[]> {
  const found: string[] = [];
  const findings = await seriousViolations(page);
  if (findings.length) found.push(describeFindings(findings));
  const overflow = await sidewaysOverflow(page);
  if (overflow > 0) found.push(`scrolls ${overflow}px sideways at ${page.viewportSize()?.width}px`);
  return found;
}

/**
 * Text on a 1080p kiosk smaller than 28 CSS px: too small to read from two metres (about
 * 14 mm on a 43-inch screen, where 10 mm is the usual floor for that distance).
 */
async function smallText(page: Page): Promise<string[]> {
  return page.$$eval("body *", (els) =>
    els
      .filter((e) => Array.from(e.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.trim()))
      .filter((e) => e.getBoundingClientRect().height > 0 && !e.closest("[hidden], .sr-only"))
      .map((e) => [e.textContent?.trim().slice(0, 40), Number.parseFloat(getComputedStyle(e).fontSize)] as const)
      .filter(([, size]) => size < 28)
      .map(([text, size]) => `"${text}" is ${size}px`),
  );
}

// Rendering and contrast do not depend on the database, so one dialect (SQLite) is enough here.
for (const lang of LANGS) {
  describe(`accessibility in ${lang}: axe-core finds nothing serious and no page scrolls sideways`, {
    skip: !browser && "Chromium not installed",
  }, () => {
    let app: TestApp;
    let show: Showcase;
    let admin: BrowserContext;
    let page: Page;

    before(async () => {
      app = await startTestApp("sqlite");
      show = await seedShowcase(app, lang);
      admin = await (browser as Browser).newContext({
        viewport: { width: 1024, height: 768 },
        locale: lang === "es" ? "es-ES" : "en-GB",
      });
      page = await admin.newPage();
      await page.goto(`${app.url}/login`);
      assert.deepEqual(await problems(page), [], "the sign-in page");
      await page.fill("#email", "admin@example.com");
      await page.fill("#password", ADMIN_PASSWORD);
      await page.click("button[type=submit]");
      await page.waitForURL(/\/dashboard|\/$/);
    });
    after(async () => {
      await admin?.close();
      await app?.stop();
    });

    it("every admin page at 1024 × 768", async () => {
      const failures: string[] = [];
      for (const [name, path] of adminPages(show)) {
        await page.goto(app.url + path);
        for (const p of await problems(page)) failures.push(`${name} (${path}): ${p}`);
      }
      assert.deepEqual(failures, []);
    });

    it("the top bar collapses into a menu on a narrow window, and the menu passes too", async () => {
      await page.setViewportSize({ width: 800, height: 900 });
      await page.goto(`${app.url}/users`);
      const menu = page.locator(".topbar-menu > summary");
      assert.equal(await menu.isVisible(), true, "the menu button shows");
      assert.equal(await page.locator(".mainnav a[href='/audit']").isVisible(), false, "the links are folded away");
      await menu.click();
      assert.equal(await page.locator(".mainnav a[href='/audit']").isVisible(), true, "the menu opens");
      assert.deepEqual(await problems(page), []);
      // From the narrowest window with a row of links (1200 px) up, every link of the top bar
      // fits on one line ("Audit log" does not wrap) and nothing scrolls sideways.
      for (const width of [1200, 1280]) {
        await page.setViewportSize({ width, height: 800 });
        await page.goto(`${app.url}/users`);
        assert.equal(await menu.isVisible(), false, `at ${width} px the links show without a menu`);
        const heights = await page.$$eval(".mainnav a, .account-toggle", (els) =>
          els.map((e) => e.getBoundingClientRect().height),
        );
        const one = Math.min(...heights);
        assert.ok(
          heights.every((h) => h < one * 1.5),
          `one line each at ${width} px: ${heights.join(", ")}`,
        );
        assert.equal(await sidewaysOverflow(page), 0, `no sideways scroll at ${width} px`);
      }
      // Focus shows: the skip link appears on the first Tab, the next control gets a solid outline.
      await page.keyboard.press("Tab");
      assert.equal(await page.evaluate(() => document.activeElement?.className), "skip");
      const skip = await page.locator(".skip").boundingBox();
      assert.ok(skip && skip.x >= 0 && skip.y >= 0, "the skip link is on screen");
      await page.keyboard.press("Tab");
      const outline = await page.evaluate(() => {
        const style = getComputedStyle(document.activeElement as Element);
        return `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`;
      });
      assert.equal(outline, "solid 2px rgb(15, 107, 92)");
      // The account's language and sign-out open from its name, pass axe, and close with Escape.
      const account = page.locator(".account-toggle");
      await account.click();
      assert.equal(await page.locator("#admin-language").isVisible(), true);
      assert.equal(await page.locator(".sign-out").isVisible(), true);
      assert.deepEqual(await problems(page), []);
      await page.keyboard.press("Escape");
      assert.equal(await page.locator(".sign-out").isVisible(), false);
      await page.setViewportSize({ width: 1024, height: 768 });
    });

    it("the join page on a phone: valid, expired and used links", async () => {
      const phone = await (browser as Browser).newContext({
        viewport: { width: 360, height: 740 },
        locale: lang === "es" ? "es-ES" : "en-GB",
        isMobile: true,
        hasTouch: true,
      });
      const failures: string[] = [];
      const p = await phone.newPage();
      for (const [name, path] of [
        ["valid", show.joinValid],
        ["expired", show.joinExpired],
        ["used", show.joinUsed],
        ["by phone number", "/join/phone"],
      ]) {
        await p.goto(app.url + path);
        for (const x of await problems(p)) failures.push(`join ${name}: ${x}`);
      }
      await phone.close();
      assert.deepEqual(failures, []);
    });

    it("the kiosk screen, pairing and showing a person, reads from two metres", async () => {
      const screen = await (browser as Browser).newContext({ viewport: { width: 1920, height: 1080 } });
      const p = await screen.newPage();
      const failures: string[] = [];
      await p.goto(`${app.url}/kiosk`);
      await p.waitForSelector(".k-pair-code");
      for (const x of await problems(p)) failures.push(`pairing: ${x}`);
      failures.push(...(await smallText(p)).map((t) => `pairing: ${t}`));
      await p.goto(app.url + show.kioskEnrollPath);
      await p.click("button[type=submit]");
      await p.waitForSelector(".k-tile svg", { timeout: 15_000 });
      for (const x of await problems(p)) failures.push(`showing: ${x}`);
      failures.push(...(await smallText(p)).map((t) => `showing: ${t}`));
      await screen.close();
      assert.deepEqual(failures, []);
    });
  });
}

after(async () => {
  await browser?.close();
});
