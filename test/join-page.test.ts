import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import type { Context } from "../server/context.js";
import { cliActor } from "../server/events.js";
import { fromAcceptLanguage, pickLanguage } from "../server/i18n/index.js";
import type { User } from "../server/people/users.repo.js";
import { startTestApp, type TestApp } from "./support/app.js";
import { PageClient } from "./support/browser-client.js";
import { launchChromium } from "./support/chromium.js";
import { dialects } from "./support/databases.js";

const SHOTS = process.env.SCREENSHOT_DIR ?? "test-results";
const FRONT_DESK = "Reception, ground floor — ext. 200";

const browser: Browser | null = await launchChromium();

/** The page's text as a person reads it: tags dropped, entities decoded, spaces collapsed. */
function readable(html: string): string {
  return html
    .replace(/<head>[\s\S]*?<\/head>/, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#39;/g, "'")
    .replace(/&#34;|&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

/** The path of a person's current link, e.g. /i/AbC…. */
async function linkPath(ctx: Context, userId: number): Promise<string> {
  return new URL((await ctx.invitations.current(userId)).url).pathname;
}

async function register(ctx: Context, firstName: string, lastName: string, language: "en" | "es"): Promise<User> {
  return ctx.users.create(
    {
      firstName,
      lastName,
      email: null,
      phone: null,
      phoneConsent: false,
      employeeId: null,
      department: null,
      site: null,
      language,
    },
    cliActor(),
  );
}

describe("join page language", () => {
  it("prefers the person's language, then the browser's, then the organization's, then English", () => {
    const pick = (own: string | null | undefined, accept: string | undefined, org?: string) =>
      pickLanguage(own, { acceptLanguage: accept }, org);
    assert.equal(pick("es", "en-GB,en;q=0.9"), "es");
    assert.equal(pick("en", "es-ES,es;q=0.9"), "en");
    assert.equal(pick("fr", "fr-FR,fr;q=0.9,es;q=0.8,en;q=0.5"), "es");
    assert.equal(pick(null, "de-DE,de;q=0.9"), "en");
    assert.equal(pick(null, "de-DE,de;q=0.9", "es"), "es");
    assert.equal(pick(undefined, undefined), "en");
    assert.equal(fromAcceptLanguage("en;q=0.2, es-MX;q=0.7"), "es");
    assert.equal(fromAcceptLanguage("es;q=0, en"), "en");
    assert.equal(fromAcceptLanguage("*"), null);
  });
});

for (const dialect of await dialects()) {
  describe(`join page on ${dialect}`, () => {
    let app: TestApp;
    let everyone: string[];

    before(async () => {
      app = await startTestApp(dialect);
      await app.ctx.settings.update(
        {
          organizationName: "Acme Logistics",
          appName: "Ommnio",
          appStoreUrl: "https://apps.apple.com/app/ommnio/id1234567890",
          playStoreUrl: "https://play.google.com/store/apps/details?id=com.ommnio.app",
          appScheme: "ommnio",
          frontDeskContact: FRONT_DESK,
        },
        cliActor(),
      );
      mkdirSync(SHOTS, { recursive: true });
      everyone = [];
    });
    after(async () => {
      await app.stop();
    });

    /** A fresh person (names are remembered so that error pages can be checked for them). */
    async function person(firstName: string, lastName: string, language: "en" | "es" = "en"): Promise<User> {
      everyone.push(firstName, lastName);
      return register(app.ctx, firstName, lastName, language);
    }

    function assertNamesNobody(html: string) {
      for (const name of everyone) assert.ok(!html.includes(name), `the page must not name anyone (found "${name}")`);
      assert.doesNotMatch(readable(html), /\b(Hi|Hola|Welcome|Bienvenid)/);
    }

    it("greets a Spanish-speaking person in Spanish, with the app and how to get it", async () => {
      const lucia = await person("Lucía", "García Pérez", "es");
      const path = await linkPath(app.ctx, lucia.id);
      const token = path.slice("/i/".length);
      const res = await fetch(app.url + path, { headers: { "accept-language": "en-GB,en;q=0.9" } });
      assert.equal(res.status, 200);
      const html = await res.text();
      const text = readable(html);
      assert.match(html, /<html lang="es">/);
      assert.match(text, /Hola Lucía/);
      assert.match(text, /Acme Logistics usa Ommnio para mantener a todos informados/);
      assert.match(html, /class="j-badge"[^>]*>A</, "the organization's monogram");
      assert.match(html, /href="https:\/\/apps\.apple\.com\/app\/ommnio\/id1234567890"/);
      assert.match(html, /href="https:\/\/play\.google\.com\/store\/apps\/details\?id=com\.ommnio\.app"/);
      assert.ok(html.includes(`href="ommnio://join?token=${token}"`), "the Open in the app deep link");
      assert.ok(html.includes(`action="/i/${token}/join"`), "Join posts to the link's join address");
      assert.match(html, /<input type="hidden" name="_csrf" value="[^"]+">/);
      assert.match(html, /<meta name="robots" content="noindex/);
      assert.match(text, /Unirme/);
      assert.ok(!html.includes("García"), "the last name is not needed on the page");
    });

    it("greets everyone else in English, whatever the browser says", async () => {
      const sam = await person("Sam", "Carter", "en");
      const res = await fetch(app.url + (await linkPath(app.ctx, sam.id)), {
        headers: { "accept-language": "es-ES,es;q=0.9" },
      });
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.match(html, /<html lang="en">/);
      assert.match(readable(html), /Hi Sam/);
      assert.match(readable(html), /Acme Logistics uses Ommnio to keep everyone informed/);
    });

    it("hides the store and app buttons that are not configured", async () => {
      await app.ctx.settings.update({ appStoreUrl: "", appScheme: "" }, cliActor());
      try {
        const kim = await person("Kim", "Lee", "en");
        const html = await (await fetch(app.url + (await linkPath(app.ctx, kim.id)))).text();
        assert.ok(!html.includes("apps.apple.com"));
        assert.ok(!html.includes("ommnio://"));
        assert.match(html, /play\.google\.com/);
      } finally {
        await app.ctx.settings.update(
          { appStoreUrl: "https://apps.apple.com/app/ommnio/id1234567890", appScheme: "ommnio" },
          cliActor(),
        );
      }
    });

    it("is neither cached nor referred, on the page and on its error pages", async () => {
      const ana = await person("Ana", "Ruiz", "es");
      for (const path of [await linkPath(app.ctx, ana.id), `/i/${randomBytes(32).toString("base64url")}`]) {
        const res = await fetch(app.url + path);
        await res.text();
        assert.equal(res.headers.get("cache-control"), "no-store", path);
        assert.equal(res.headers.get("referrer-policy"), "no-referrer", path);
      }
    });

    it("answers an unknown link with a friendly 404 that names nobody, in the browser's language", async () => {
      const unknown = `/i/${randomBytes(32).toString("base64url")}`;
      const res = await fetch(app.url + unknown, { headers: { "accept-language": "en-US,en;q=0.9" } });
      assert.equal(res.status, 404);
      const html = await res.text();
      assert.match(readable(html), /This link doesn't work/);
      assert.match(readable(html), /Ask the front desk for a new link/);
      assert.ok(readable(html).includes(FRONT_DESK), "the front desk contact is shown");
      assertNamesNobody(html);

      const es = await fetch(app.url + unknown, { headers: { "accept-language": "es-ES,es;q=0.9" } });
      assert.equal(es.status, 404);
      assert.match(readable(await es.text()), /Este enlace no funciona/);
    });

    it("stops the old link at once when the link is regenerated (410)", async () => {
      const omar = await person("Omar", "Haddad");
      const old = await linkPath(app.ctx, omar.id);
      const fresh = new URL((await app.ctx.invitations.regenerate(omar.id, cliActor())).url).pathname;
      assert.notEqual(fresh, old);
      const res = await fetch(app.url + old);
      assert.equal(res.status, 410);
      const html = await res.text();
      assert.match(readable(html), /This invitation is no longer valid/);
      assertNamesNobody(html);
      assert.equal((await fetch(app.url + fresh)).status, 200);
    });

    it("refuses a revoked link (410)", async () => {
      const rita = await person("Rita", "Moreno");
      const path = await linkPath(app.ctx, rita.id);
      await app.ctx.invitations.revoke(rita.id, cliActor());
      const res = await fetch(app.url + path);
      assert.equal(res.status, 410);
      const html = await res.text();
      assert.match(readable(html), /This invitation is no longer valid/);
      assertNamesNobody(html);
    });

    it("refuses an expired link (410)", async () => {
      const eva = await person("Eva", "Lindqvist", "es");
      const invitation = await app.ctx.invitations.current(eva.id);
      await app.ctx
        .db("invitations")
        .where({ id: invitation.id })
        .update({ expires_at: Date.now() - 60_000 });
      const res = await fetch(app.url + new URL(invitation.url).pathname, { headers: { "accept-language": "es" } });
      assert.equal(res.status, 410);
      const html = await res.text();
      assert.match(readable(html), /Esta invitación ha caducado/);
      assertNamesNobody(html);
    });

    it("joins once through the Join button; the second time says the link was used (410)", async () => {
      const tom = await person("Tom", "Becker");
      const path = await linkPath(app.ctx, tom.id);
      const client = new PageClient(app.url);
      assert.equal((await client.get(path)).status, 200);
      const joined = await client.post(`${path}/join`, { lang: "en" });
      assert.equal(joined.status, 200);
      assert.equal(joined.headers.get("cache-control"), "no-store");
      const text = readable(joined.text);
      assert.match(text, /Welcome, Tom!/);
      assert.match(text, /You have joined Acme Logistics/);
      assert.match(joined.text, /play\.google\.com/);
      const user = await app.ctx.users.get(tom.id);
      assert.equal(user.status, "active");
      assert.equal(user.joinedChannel, "link");

      const again = await client.post(`${path}/join`, { lang: "en" });
      assert.equal(again.status, 410);
      assert.match(readable(again.text), /This invitation has already been used/);
      assertNamesNobody(again.text);
      const reopened = await client.get(path);
      assert.equal(reopened.status, 410);
      const joinAddress = await client.get(`${path}/join`);
      assert.equal(joinAddress.status, 303, "the join address itself leads back to the page");
      assert.equal(joinAddress.headers.get("location"), path);
      assert.match(readable(reopened.text), /already been used/);
    });

    it("answers a deactivated person's link exactly like an unknown one (410)", async () => {
      const dana = await person("Dana", "Whitfield");
      const path = await linkPath(app.ctx, dana.id);
      await app.ctx.users.deactivate(dana.id, cliActor());
      const res = await fetch(app.url + path);
      assert.equal(res.status, 410);
      const deactivated = await res.text();
      assertNamesNobody(deactivated);
      const unknown = await (await fetch(`${app.url}/i/${randomBytes(32).toString("base64url")}`)).text();
      assert.equal(readable(deactivated), readable(unknown));
    });

    it("answers a deactivated person's expired link like an unknown one too, not as expired", async () => {
      const eli = await person("Eli", "Marsh");
      const path = await linkPath(app.ctx, eli.id);
      await app.ctx.users.deactivate(eli.id, cliActor());
      const { id } = await app.ctx.invitations.current(eli.id);
      await app.ctx
        .db("invitations")
        .where({ id })
        .update({ expires_at: Date.now() - 1000 });
      const res = await fetch(app.url + path);
      assert.equal(res.status, 410);
      const unknown = await (await fetch(`${app.url}/i/${randomBytes(32).toString("base64url")}`)).text();
      assert.equal(readable(await res.text()), readable(unknown));
    });

    it("refuses a Join without the page's CSRF token (403); the person stays pending", async () => {
      const noor = await person("Noor", "Aziz");
      const path = await linkPath(app.ctx, noor.id);
      const client = new PageClient(app.url);
      await client.get(path);
      const res = await client.post(`${path}/join`, {}, false);
      assert.equal(res.status, 403);
      assert.equal((await app.ctx.users.get(noor.id)).status, "pending");
      // A token from another visitor's page does not work either.
      const other = new PageClient(app.url);
      await other.get(path);
      const forged = await fetch(`${app.url}${path}/join`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ _csrf: other.csrf }),
      });
      assert.equal(forged.status, 403);
      assert.equal((await app.ctx.users.get(noor.id)).status, "pending");
      // The link itself still works.
      assert.equal((await client.get(path)).status, 200);
    });

    it("on a phone in Chromium: opens the link, taps Join and is welcomed", {
      skip: !browser && "Chromium not installed",
    }, async () => {
      const lucia = await person("Lucía", "Fernández", "es");
      const url = (await app.ctx.invitations.current(lucia.id)).url;
      const context = await (browser as Browser).newContext({
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
        deviceScaleFactor: 2,
        locale: "es-ES",
      });
      const page = await context.newPage();
      const consoleErrors: string[] = [];
      // The used and unknown links answer 410 and 404 on purpose; what must never appear is a script error or a CSP refusal.
      page.on("console", (m) => m.type() === "error" && !/status of 4(04|10)/.test(m.text()) && consoleErrors.push(m.text()));
      page.on("pageerror", (e) => consoleErrors.push(e.message));

      const opened = await page.goto(url);
      assert.equal(opened?.status(), 200);
      assert.equal((await page.textContent("h1"))?.trim(), "Hola Lucía");
      assert.equal(await page.getAttribute("meta[name=robots]", "content"), "noindex, nofollow");
      // Phone-first: nothing wider than the screen, and a Join button a thumb can hit.
      assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390, "no sideways scrolling");
      const join = page.locator("#join");
      const box = await join.boundingBox();
      assert.ok(box && box.height >= 48 && box.width >= 300, `Join is a large tap target (${JSON.stringify(box)})`);
      // The stylesheet applied (CSP allows it): the button is drawn in the brand colour.
      assert.equal(await join.evaluate((el) => getComputedStyle(el).backgroundColor), "rgb(15, 107, 92)");
      await page.screenshot({ path: `${SHOTS}/join-${dialect}.png`, fullPage: true });

      await join.tap();
      await page.waitForSelector("text=Te has unido a Acme Logistics");
      assert.match((await page.textContent("h1")) ?? "", /Lucía/);
      const user = await app.ctx.users.get(lucia.id);
      assert.equal(user.status, "active");
      assert.equal(user.joinedChannel, "link");
      await page.screenshot({ path: `${SHOTS}/joined-${dialect}.png`, fullPage: true });

      const reopened = await page.goto(url);
      assert.equal(reopened?.status(), 410);
      assert.match((await page.textContent("h1")) ?? "", /Esta invitación ya se ha usado/);
      await page.screenshot({ path: `${SHOTS}/join-used-${dialect}.png`, fullPage: true });

      const unknown = await page.goto(`${app.url}/i/${randomBytes(32).toString("base64url")}`);
      assert.equal(unknown?.status(), 404);
      assert.equal((await page.textContent("h1"))?.trim(), "Este enlace no funciona");
      await page.screenshot({ path: `${SHOTS}/join-unknown-${dialect}.png`, fullPage: true });

      assert.deepEqual(consoleErrors, [], "no script or CSP errors in the console");
      await context.close();
    });

    // Last: it leaves this client locked out for a minute.
    it("rate-limits a client that keeps opening links that don't work (429 with Retry-After)", async () => {
      const valid = await linkPath(app.ctx, (await person("Pia", "Holm")).id);
      let res: Response | undefined;
      for (let i = 0; i < 30; i++) {
        res = await fetch(`${app.url}/i/${randomBytes(32).toString("base64url")}`);
        if (res.status === 429) break;
        assert.equal(res.status, 404);
        await res.text();
      }
      assert.equal(res?.status, 429);
      const retryAfter = Number(res?.headers.get("retry-after"));
      assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After is a number of seconds (${retryAfter})`);
      const html = (await res?.text()) ?? "";
      assert.match(readable(html), /Too many attempts/);
      assertNamesNobody(html);
      // While locked out, even a good link is not looked up.
      const blocked = await fetch(app.url + valid, { headers: { "accept-language": "es" } });
      assert.equal(blocked.status, 429);
      assert.match(readable(await blocked.text()), /Demasiados intentos/);
    });
  });
}

after(async () => {
  await browser?.close();
});
