import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { cliActor } from "../../server/core/events.js";
import { fromAcceptLanguage, pickLanguage } from "../../server/core/i18n/index.js";
import type { User } from "../../server/people/users.repo.js";
import type { Station } from "../../server/station.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { PageClient } from "../support/browser-client.js";
import { launchChromium } from "../support/chromium.js";
import { dialects } from "../support/databases.js";

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
async function linkPath(ctx: Station, userId: number): Promise<string> {
  return new URL((await ctx.invitations.current(userId)).url).pathname;
}

async function register(ctx: Station, firstName: string, lastName: string, language: "en" | "es"): Promise<User> {
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
      assert.ok(!html.includes('/join"'), "no Join form: the app joins, not this page");
      assert.match(html, /<meta name="robots" content="noindex/);
      assert.match(text, /Abrir en Ommnio/);
      const { code } = await app.ctx.invitations.current(lucia.id);
      assert.ok(
        html.includes(`id="invitation-code" aria-labelledby="code-title">${code}<`),
        "the typed code to enter in the app",
      );
      assert.match(text, /O escribe este código en la app/);
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

    /** Runs `fn` with "join on the web" chosen in Settings. */
    async function onTheWeb(fn: () => Promise<void>) {
      await app.ctx.settings.update({ joinOnWeb: true }, cliActor());
      try {
        await fn();
      } finally {
        await app.ctx.settings.update({ joinOnWeb: false }, cliActor());
      }
    }

    it("never uses the invitation on the web page alone; a client playing the app joins with the link's token", async () => {
      const ines = await person("Inés", "Vidal", "es");
      const path = await linkPath(app.ctx, ines.id);
      const phone = new PageClient(app.url);
      const page = await phone.get(path);
      assert.equal(page.status, 200);
      assert.equal((await phone.get(path)).status, 200, "opened twice: still open");
      // The hand-off page has no Join form: a post without one's CSRF token is refused.
      assert.equal((await phone.post(`${path}/join`, { lang: "es" })).status, 403);
      // A Join form on a page from before "join on the web" was turned off leads back to the hand-off.
      const older = new PageClient(app.url);
      await onTheWeb(async () => {
        await older.get(path);
      });
      const posted = await older.post(`${path}/join`, { lang: "es" });
      assert.equal(posted.status, 303);
      assert.equal(posted.headers.get("location"), path);
      assert.equal((await app.ctx.users.get(ines.id)).status, "pending");
      assert.equal((await app.ctx.invitations.current(ines.id)).state, "active");
      const opened = await app.ctx.db("invitations").where({ user_id: ines.id }).first();
      assert.ok(Number(opened.opened_at) > 0, "the link is recorded as opened");

      // The app: opened through the page's link, it takes the token and redeems it.
      const deepLink = /href="(ommnio:\/\/join\?token=[^"]+)"/.exec(page.text)?.[1] as string;
      assert.ok(deepLink, "the page links to the app");
      const token = new URL(deepLink.replace(/&amp;/g, "&")).searchParams.get("token") as string;
      const redeemed = await fetch(`${app.url}/api/v1/invitations/redeem`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token, channel: "app" }),
      });
      assert.equal(redeemed.status, 200);
      const body = (await redeemed.json()) as { user: { id: number; firstName: string }; organization: { name: string } };
      assert.deepEqual([body.user.id, body.user.firstName, body.organization.name], [ines.id, "Inés", "Acme Logistics"]);
      const joined = await app.ctx.users.get(ines.id);
      assert.equal(joined.status, "active");
      assert.equal(joined.joinedChannel, "app");
      // Now the link is used: the page says so, and the app's second try is refused.
      assert.equal((await phone.get(path)).status, 410);
      const twice = await fetch(`${app.url}/api/v1/invitations/redeem`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token, channel: "app" }),
      });
      assert.equal(twice.status, 410);
    });

    it("a client playing the app joins with the code typed from the page", async () => {
      const ola = await person("Ola", "Berg");
      const page = await (await fetch(app.url + (await linkPath(app.ctx, ola.id)))).text();
      const code = /id="invitation-code"[^>]*>([^<]+)</.exec(page)?.[1] as string;
      assert.ok(code);
      const res = await fetch(`${app.url}/api/v1/invitations/redeem`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token: code, channel: "code" }),
      });
      assert.equal(res.status, 200);
      assert.equal((await app.ctx.users.get(ola.id)).joinedChannel, "code");
    });

    it("links to the app's https join link when Settings has one", async () => {
      await app.ctx.settings.update({ appJoinUrl: "https://go.ommnio.example/join" }, cliActor());
      try {
        const path = await linkPath(app.ctx, (await person("Uma", "Reyes")).id);
        const html = await (await fetch(app.url + path)).text();
        assert.ok(html.includes(`href="https://go.ommnio.example/join?token=${path.slice(3)}"`));
      } finally {
        await app.ctx.settings.update({ appJoinUrl: "" }, cliActor());
      }
    });

    it("with join on the web: joins once through the Join button; the second time says the link was used (410)", () =>
      onTheWeb(async () => {
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
      }));

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

    it("with join on the web: refuses a Join without the page's CSRF token (403); the person stays pending", () =>
      onTheWeb(async () => {
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
      }));

    it("on a phone in Chromium: opens the link and is handed to the app, which joins", {
      skip: !browser && "Chromium not installed",
    }, async () => {
      const mateo = await person("Mateo", "Quiroga", "es");
      const url = (await app.ctx.invitations.current(mateo.id)).url;
      const context = await (browser as Browser).newContext({
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
        deviceScaleFactor: 2,
        locale: "es-ES",
      });
      const page = await context.newPage();
      const consoleErrors: string[] = [];
      page.on("console", (m) => m.type() === "error" && !/status of 4(04|10)/.test(m.text()) && consoleErrors.push(m.text()));
      page.on("pageerror", (e) => consoleErrors.push(e.message));
      assert.equal((await page.goto(url))?.status(), 200);
      assert.equal((await page.textContent("h1"))?.trim(), "Hola Mateo");
      assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390, "no sideways scrolling");
      const open = page.locator("#open-app");
      const box = await open.boundingBox();
      assert.ok(box && box.height >= 48 && box.width >= 300, `Open in the app is a large tap target (${JSON.stringify(box)})`);
      const href = (await open.getAttribute("href")) as string;
      assert.match(href, /^ommnio:\/\/join\?token=/);
      const code = (await page.textContent("#invitation-code"))?.trim();
      assert.equal(code, (await app.ctx.invitations.current(mateo.id)).code);
      await page.screenshot({ path: `${SHOTS}/join-handoff-${dialect}.png`, fullPage: true });
      assert.equal((await app.ctx.users.get(mateo.id)).status, "pending", "the page alone joins nobody");
      // The app, given the token by the link, redeems it.
      const res = await fetch(`${app.url}/api/v1/invitations/redeem`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token: new URL(href).searchParams.get("token"), channel: "app" }),
      });
      assert.equal(res.status, 200);
      assert.equal((await page.goto(url))?.status(), 410);
      assert.match((await page.textContent("h1")) ?? "", /Esta invitación ya se ha usado/);
      assert.deepEqual(consoleErrors, []);
      await context.close();
    });

    it(
      "on a phone in Chromium, with join on the web: opens the link, taps Join and is welcomed",
      {
        skip: !browser && "Chromium not installed",
      },
      () =>
        onTheWeb(async () => {
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
        }),
    );

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
