/**
 * Screenshots of the main pages, in each language, at 1024 and 1440 px wide (the join page
 * also on a 360 px phone), into docs/screenshots/<lang>/. It starts the real service on a
 * fresh SQLite database with the same showcase data as the accessibility suite.
 *
 *   node --import tsx scripts/screenshots.ts [--lang en,es] [--out docs/screenshots]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import type { Browser, Page } from "playwright-core";
import UPNG from "upng-js";
import { ADMIN_PASSWORD, startTestApp } from "../test/support/app.js";
import { launchChromium } from "../test/support/chromium.js";
import { type Lang, seedShowcase } from "../test/support/showcase.js";

const { values } = parseArgs({
  options: { lang: { type: "string", default: "en,es" }, out: { type: "string", default: "docs/screenshots" } },
});
const langs = (values.lang as string).split(",").filter((l): l is Lang => l === "en" || l === "es");
const WIDTHS = [1024, 1440];
// Long pages are cut here: the top of a page is what a screenshot is for, and the files stay small.
const MAX_HEIGHT = 1800;

/** Writes the PNG with its colours reduced to 256: a page's flat colours survive, the files shrink to a third. */
function save(png: Buffer, file: string) {
  const image = UPNG.decode(new Uint8Array(png).buffer);
  const rgba = UPNG.toRGBA8(image)[0] as ArrayBuffer;
  writeFileSync(file, Buffer.from(UPNG.encode([rgba], image.width, image.height, 256)));
  console.log(file);
}

async function shoot(page: Page, file: string, opts: { fullPage?: boolean; height?: number } = { fullPage: true }) {
  const width = page.viewportSize()?.width ?? 1024;
  const full = await page.evaluate(() => document.documentElement.scrollHeight);
  const height = opts.height ?? (opts.fullPage ? Math.min(full, MAX_HEIGHT) : (page.viewportSize()?.height ?? 900));
  save(await page.screenshot({ clip: { x: 0, y: 0, width, height }, fullPage: opts.fullPage ?? false }), file);
}

const browser: Browser | null = await launchChromium();
if (!browser) process.exit(1);
try {
  for (const lang of langs) {
    const out = path.join(values.out as string, lang);
    mkdirSync(out, { recursive: true });
    const app = await startTestApp("sqlite");
    try {
      const show = await seedShowcase(app, lang);
      const locale = lang === "es" ? "es-ES" : "en-GB";
      const admin = await browser.newContext({ locale, viewport: { width: 1440, height: 900 } });
      const page = await admin.newPage();
      await page.goto(`${app.url}/login`);
      await page.fill("#email", "admin@example.com");
      await page.fill("#password", ADMIN_PASSWORD);
      await page.click("button[type=submit]");
      await page.waitForURL(/\/dashboard|\/$/);
      const pages: Array<[string, string]> = [
        ["dashboard", "/dashboard"],
        ["people", "/users"],
        ["profile", `/users/${show.personId}`],
        ["import", `/import/${show.importId}`],
        ["print-jobs", "/print-jobs"],
      ];
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 900 });
        for (const [name, url] of pages) {
          await page.goto(app.url + url);
          await shoot(page, path.join(out, `${name}-${width}.png`));
        }
      }
      // The top bar's menu, opened, where the links no longer fit in one row.
      await page.setViewportSize({ width: 1024, height: 700 });
      await page.goto(`${app.url}/users`);
      await page.click(".topbar-toggle");
      await shoot(page, path.join(out, "menu-open-1024.png"), {});
      await page.setViewportSize({ width: 1280, height: 700 });
      await shoot(page, path.join(out, "topbar-1280.png"), { height: 120 });
      await admin.close();

      const phone = await browser.newContext({ locale, viewport: { width: 360, height: 740 }, isMobile: true });
      const joinPage = await phone.newPage();
      await joinPage.goto(app.url + show.joinValid);
      await shoot(joinPage, path.join(out, "join-360.png"));
      await phone.close();
      for (const width of WIDTHS) {
        const desk = await browser.newContext({ locale, viewport: { width, height: 900 } });
        const p = await desk.newPage();
        await p.goto(app.url + show.joinValid);
        await shoot(p, path.join(out, `join-${width}.png`));
        await desk.close();
      }

      const screen = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
      const kiosk = await screen.newPage();
      await kiosk.goto(app.url + show.kioskEnrollPath);
      await kiosk.click("button[type=submit]");
      await kiosk.waitForSelector("svg");
      await shoot(kiosk, path.join(out, "kiosk-1920.png"), {});
      await screen.close();
    } finally {
      await app.stop();
    }
  }
} finally {
  await browser.close();
}
