import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { cliActor } from "../../server/core/events.js";
import { DashboardService } from "../../server/dashboard/dashboard.service.js";
import { joinsChart, niceMax } from "../../server/dashboard/joins-chart.js";
import type { UserInput } from "../../server/people/users.schema.js";
import { ADMIN_PASSWORD, createStaff, startTestApp, type TestApp } from "../support/app.js";
import { PageClient } from "../support/browser-client.js";
import { launchChromium } from "../support/chromium.js";
import { dialects } from "../support/databases.js";
import { waitFor } from "../support/notify-app.js";
import { personInput } from "../support/people.js";
import { SmtpCapture } from "../support/smtp-capture.js";

const SHOTS = process.env.SCREENSHOT_DIR ?? "test-results";
const DAY = 86_400_000;

const person = (first: string, last: string, extra: Partial<UserInput> = {}): UserInput =>
  personInput({ firstName: first, lastName: last, ...extra });

/** The text of an element found by id, tags stripped and spaces collapsed. */
function textOf(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  assert.ok(start >= 0, `#${id} on the page`);
  const end = html.indexOf("</a>", start);
  return html
    .slice(start, end)
    .replace(/<[^>]+>/g, " ")
    .replace(/^[^>]*>/, "")
    .replace(/\s+/g, " ")
    .trim();
}

describe("joins chart geometry", () => {
  it("rounds the axis up and labels the busiest day", () => {
    assert.equal(niceMax(0), 4);
    assert.equal(niceMax(4), 4);
    assert.equal(niceMax(5), 6);
    assert.equal(niceMax(7), 8);
    assert.equal(niceMax(13), 20);
    assert.equal(niceMax(240), 300);
    const days = Array.from({ length: 30 }, (_, i) => ({
      day: new Date(Date.UTC(2026, 2, 1) + i * DAY).toISOString().slice(0, 10),
      n: 0,
    }));
    (days[29] as { n: number }).n = 3;
    (days[10] as { n: number }).n = 6;
    const chart = joinsChart(days);
    assert.equal(chart.bars.length, 30);
    assert.equal(chart.total, 9);
    assert.equal(chart.max, 6);
    assert.deepEqual(
      chart.ticks.map((t) => t.value),
      [0, 3, 6],
    );
    assert.match(chart.busiest?.day ?? "", /11 Mar 2026/);
    const tallest = chart.bars[10] as { height: number; y: number };
    assert.equal(tallest.y, chart.plot.top);
    assert.equal(chart.bars[0]?.height, 0);
    // The last bar (today) carries a date label.
    assert.equal(chart.dayLabels.at(-1)?.text, "30 Mar");
  });
});

const browser: Browser | null = await launchChromium();

for (const dialect of await dialects()) {
  describe(`dashboard (${dialect})`, () => {
    let app: TestApp;
    let service: DashboardService;
    let desk: PageClient;
    let smtp: SmtpCapture;
    const ids: Record<string, number> = {};

    before(async () => {
      // Email really goes to a mail server; SMS stays on the default log-only provider.
      smtp = await SmtpCapture.start();
      app = await startTestApp(dialect, { SMTP_URL: smtp.url });
      service = new DashboardService(app.ctx.db);
      await createStaff(app.ctx, "frontdesk", "desk@example.com");
      desk = new PageClient(app.url);
      await desk.signIn("desk@example.com", ADMIN_PASSWORD);
    });
    after(async () => {
      await app?.stop();
      await smtp?.close();
    });

    it("shows an empty state when no one is registered", async () => {
      const s = await service.summary();
      assert.deepEqual(s.counts, { pending: 0, invited: 0, notInvited: 0, joined: 0, deactivated: 0, total: 0 });
      assert.equal(s.joinsByDay.length, 30);
      assert.equal(s.joinsInPeriod, 0);
      assert.deepEqual(s.groups, []);
      assert.equal(s.groupCount, 0);
      assert.ok(s.channels.every((c) => c.n === 0));

      const page = await desk.get("/dashboard");
      assert.equal(page.status, 200);
      assert.match(page.text, /No one is registered yet/);
      assert.match(page.text, /href="\/users\/new"/);
      assert.doesNotMatch(page.text, /id="stat-pending"/);
    });

    it("sends people who are not signed in to the login page", async () => {
      const res = await fetch(`${app.url}/dashboard`, { redirect: "manual" });
      assert.equal(res.status, 302);
      assert.match(res.headers.get("location") ?? "", /^\/login\?next=%2Fdashboard/);
    });

    it("counts pending, invited, joined and deactivated people, joins per channel and per day", async () => {
      const { ctx } = app;
      const actor = cliActor();
      const warehouse = await ctx.groups.create("Warehouse", actor);
      const office = await ctx.groups.create("Office", actor);
      const night = await ctx.groups.create("Night shift", actor);
      await ctx.groups.create("Empty", actor);
      ids.warehouse = warehouse.id;
      const add = async (key: string, groups: number[], extra: Partial<UserInput> = {}) => {
        ids[key] = (await ctx.users.create(person(key, "Test", { groups, ...extra }), actor)).id;
      };
      // Warehouse: 4 members, 3 stay pending. Office: 4 members, 1 pending. Night shift: 2, 1 pending.
      await add("Ana", [warehouse.id], { email: "ana@example.com" });
      await add("Ben", [warehouse.id]);
      await add("Cai", [warehouse.id, night.id]);
      await add("Dee", [warehouse.id, office.id]);
      await add("Eva", [office.id]);
      await add("Fay", [office.id, night.id]);
      await add("Gus", []);
      await add("Hal", []);
      await add("Ivy", [office.id], { phone: "+34612345678", phoneConsent: true });

      await ctx.users.join(ids.Dee as number, "link", actor);
      await ctx.users.join(ids.Eva as number, "qr", actor);
      await ctx.users.join(ids.Fay as number, "link", actor);
      await ctx.users.join(ids.Gus as number, "kiosk", actor);
      await ctx.users.join(ids.Hal as number, "phone", actor);
      // Hal joined and then left: no longer counted as joined, nor in the channels.
      await ctx.users.deactivate(ids.Hal as number, actor);
      // Gus joined three days ago (set directly: the service stamps joins with the current time).
      const now = Date.now();
      await ctx
        .db("users")
        .where({ id: ids.Gus })
        .update({ joined_at: now - 3 * DAY });

      // Ana is invited by email, through the mail server: sent.
      const delivery = await ctx.notify.invitations.send(ids.Ana as number, "email", actor);
      await waitFor("the invitation email to be sent", async () => {
        const row = await ctx.db("outbox").where({ id: delivery.id }).first();
        return row?.state === "sent";
      });
      assert.equal(smtp.to("ana@example.com").length, 1);
      // Ivy's SMS is only logged (no SMS provider): not an invitation.
      const sms = await ctx.notify.invitations.send(ids.Ivy as number, "sms", actor);
      await waitFor("the SMS to be logged", async () => {
        const row = await ctx.db("outbox").where({ id: sms.id }).first();
        return row?.state === "logged";
      });
      // Ana opens her link on her phone: opened, not joined.
      const link = await ctx.invitations.current(ids.Ana as number);
      assert.equal((await fetch(link.url)).status, 200);
      assert.equal((await fetch(link.url)).status, 200);

      const s = await service.summary(now);
      assert.deepEqual(s.counts, { pending: 4, invited: 1, notInvited: 3, joined: 4, deactivated: 1, total: 8 });
      assert.deepEqual(s.funnel, { registered: 8, invited: 1, opened: 1, joined: 4 });
      assert.equal(
        await ctx
          .db("audit_log")
          .where({ action: "invitation.opened", target_id: String(ids.Ana) })
          .count({ n: "*" })
          .first()
          .then((r) => Number(r?.n)),
        1,
        "opened is recorded once",
      );

      const byChannel = Object.fromEntries(s.channels.map((c) => [c.channel, c.n]));
      assert.deepEqual(byChannel, { link: 2, qr: 1, code: 0, kiosk: 1, phone: 0, app: 0 });
      assert.equal(s.channels[0]?.channel, "link");
      assert.equal(s.channels[0]?.share, 0.5);

      const today = new Date(now).toISOString().slice(0, 10);
      const threeDaysAgo = new Date(now - 3 * DAY).toISOString().slice(0, 10);
      assert.equal(s.joinsByDay.at(-1)?.day, today);
      assert.equal(s.joinsByDay.at(-1)?.n, 3);
      assert.equal(s.joinsByDay.find((d) => d.day === threeDaysAgo)?.n, 1);
      assert.equal(s.joinsInPeriod, 4);

      assert.deepEqual(
        s.groups.map((g) => [g.name, g.notJoined, g.joined, g.members]),
        // Most not joined first; ties by name; groups with everyone joined (or no one) are left out.
        [
          ["Warehouse", 3, 1, 4],
          ["Night shift", 1, 1, 2],
          ["Office", 1, 3, 4],
        ],
      );

      // A pending person who is deactivated leaves both the pending and the group counts.
      await ctx.users.deactivate(ids.Ben as number, actor);
      const after = await service.summary(now);
      assert.equal(after.counts.pending, 3);
      assert.equal(after.counts.deactivated, 2);
      assert.deepEqual(
        after.groups.map((g) => [g.name, g.notJoined]),
        [
          ["Warehouse", 2],
          ["Night shift", 1],
          ["Office", 1],
        ],
      );
    });

    it("renders the figures for the front desk", async () => {
      const page = await desk.get("/dashboard");
      assert.equal(page.status, 200);
      assert.match(textOf(page.text, "stat-pending"), /Pending 3 registered, not joined yet/);
      assert.match(textOf(page.text, "stat-invited"), /Invited 1 pending with an email or SMS sent · 2 not sent yet/);
      assert.match(textOf(page.text, "stat-joined"), /Joined 4 57% of 7 registered · 2 deactivated/);
      assert.match(page.text, /data-step="opened">[\s\S]*?<strong class="dash-funnel-n">1<\/strong>/);
      assert.match(page.text, /SMS: logged only — no SMS provider/);
      assert.doesNotMatch(page.text, /Email: saved as a file/);
      const deliveries = await desk.get("/deliveries");
      assert.match(deliveries.text, /Logged only — no SMS provider/);
      assert.match(deliveries.text, />Ivy Test<\/a>/, "the person by name, not by number");
      assert.doesNotMatch(deliveries.text, /Person #/);
      assert.match(page.text, /4 people joined in the last 30 days/);
      assert.match(page.text, /<title>[^<]*: 3 joins<\/title>/);
      assert.match(
        page.text,
        /data-channel="link">\s*<span class="dash-channel-name">Personal link<\/span>\s*<span class="dash-channel-n"><strong>2<\/strong>/,
      );
      assert.match(page.text, new RegExp(`href="/groups/${ids.warehouse}">Warehouse</a>`));
      assert.ok(page.text.indexOf(">Warehouse<") < page.text.indexOf(">Night shift<"), "most not joined first");
      assert.doesNotMatch(page.text, /style=/, "no inline styles (CSP)");
      assert.doesNotMatch(page.text, /<script>/, "no inline scripts (CSP)");
    });

    it("looks calm on a laptop screen", { skip: !browser && "Chromium not installed" }, async () => {
      const page = await (browser as Browser).newPage({ viewport: { width: 1366, height: 800 } });
      const problems: string[] = [];
      page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
      page.on("pageerror", (e) => problems.push(e.message));
      await page.goto(`${app.url}/dashboard`);
      await page.fill("#email", "desk@example.com");
      await page.fill("#password", ADMIN_PASSWORD);
      await page.click("button[type=submit]");
      await page.waitForURL(/\/dashboard$/);
      assert.equal(await page.locator("svg.dash-chart rect.dash-bar").count(), 2);
      const grid = await page.locator(".dash-grid").evaluate((el) => getComputedStyle(el).display);
      assert.equal(grid, "grid", "the dashboard styles are loaded");
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: dialect === "sqlite" ? `${SHOTS}/dashboard.png` : `${SHOTS}/dashboard-${dialect}.png` });
      assert.deepEqual(problems, []);
      await page.close();
    });
  });
}

if (browser) after(() => browser.close());
