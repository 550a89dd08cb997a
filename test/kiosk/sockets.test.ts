import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cliActor } from "../../server/core/events.js";
import { assertProblem, call } from "../support/api-client.js";
import { createApiKey, startOn, startTestApp, type TestApp } from "../support/app.js";
import { PageClient } from "../support/browser-client.js";
import { dialects, freshDatabase, type TestDatabase } from "../support/databases.js";
import { enrolledKiosk, pendingPerson, ScreenClient, tileOf } from "../support/kiosk.js";
import { redisReachable } from "../support/redis.js";
import { requireOrSkip } from "../support/services.js";
import { connectTo, nextEvent } from "../support/sockets.js";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const redeem = (app: TestApp, token: string) => call(app, "POST", "/invitations/redeem", { body: { token } });

for (const dialect of await dialects()) {
  describe(`kiosk screens over Socket.IO on ${dialect}`, () => {
    let app: TestApp;
    let key: string;
    before(async () => {
      // The shortest rotation the configuration allows, so that windows pass within a test.
      app = await startTestApp(dialect, { KIOSK_ROTATE_SECONDS: "5" });
      key = await createApiKey(app.ctx);
    });
    after(() => app.stop());

    it("refuses a client without a valid device credential, or from another site", async () => {
      await assert.rejects(connectTo(app.url, "/kiosk"), /unauthorized/);
      await assert.rejects(connectTo(app.url, "/kiosk", { cookie: "ikiosk=forged" }), /unauthorized/);
      const { cookie } = await enrolledKiosk(app, "Origin check");
      await assert.rejects(connectTo(app.url, "/kiosk", { cookie, origin: "http://evil.example" }));
      const ok = await ScreenClient.connect(app.url, cookie);
      const state = await ok.waitFor((s) => s.kiosk.name === "Origin check", "the kiosk's own state");
      assert.deepEqual(state.tiles, []);
      ok.close();
    });

    it("sends each kiosk only its own people, and only first name and last initial", async () => {
      const a = await enrolledKiosk(app, "Hall A");
      const b = await enrolledKiosk(app, "Hall B");
      const screenA = await ScreenClient.connect(app.url, a.cookie);
      const screenB = await ScreenClient.connect(app.url, b.cookie);
      await screenB.waitFor((s) => s.kiosk.name === "Hall B");
      const person = await pendingPerson(app, "Marta", "Soler Vidal");
      const res = await call(app, "POST", `/kiosks/${a.kiosk.id}/display`, { key, body: { userId: person.id } });
      assert.equal(res.status, 201);
      const state = await screenA.waitFor((s) => Boolean(tileOf(s, person.id)?.url), "Marta's tile");
      const tile = tileOf(state, person.id);
      assert.equal(tile?.label, "Marta S.");
      assert.match(tile?.url ?? "", new RegExp(`^${app.url}/i/k[0-9a-z]+\\.5\\.[0-9a-z]+\\.[\\w-]{22}$`));
      const text = JSON.stringify(state);
      assert.doesNotMatch(text, /Soler|Vidal|@/, "no full name or email on the screen");
      const invitation = await app.ctx.invitations.current(person.id);
      assert.ok(!text.includes(invitation.token), "never the personal link");
      assert.equal(tileOf(screenB.last, person.id), undefined, "the other kiosk hears nothing of it");
      screenA.close();
      screenB.close();
    });

    it("rotates the code each window; a code two windows old is refused, the previous one works", async () => {
      const { kiosk, cookie } = await enrolledKiosk(app, "Rotation");
      const screen = await ScreenClient.connect(app.url, cookie);
      const person = await pendingPerson(app, "Rosa", "Prat");
      await app.ctx.kiosks.display(kiosk.id, person.id, cliActor());
      const first = tileOf(await screen.waitFor((s) => Boolean(tileOf(s, person.id)?.url)), person.id)?.url as string;
      const second = tileOf(
        await screen.waitFor((s) => ![first, null, undefined].includes(tileOf(s, person.id)?.url), "the next code", 20_000),
        person.id,
      )?.url as string;
      await screen.waitFor((s) => ![first, second, null, undefined].includes(tileOf(s, person.id)?.url), "a third code", 20_000);
      const stale = await redeem(app, first);
      assertProblem(stale, 410);
      assert.equal(stale.body.reason, "expired");
      // The join page of a stale code says to scan again, and names nobody.
      const page = await fetch(`${first}`);
      assert.equal(page.status, 410);
      assert.match(await page.text(), /This code has changed/);
      const ok = await redeem(app, second);
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(ok.body.user.firstName, "Rosa");
      assert.equal((await app.ctx.users.get(person.id)).joinedChannel, "kiosk", "a screen's code joins through the kiosk");
      screen.close();
    });

    it("says welcome when the person joins, then the tile leaves", async () => {
      const { kiosk, cookie } = await enrolledKiosk(app, "Welcome");
      const screen = await ScreenClient.connect(app.url, cookie);
      const person = await pendingPerson(app, "Iker", "Sanz");
      await app.ctx.kiosks.display(kiosk.id, person.id, cliActor());
      const url = tileOf(await screen.waitFor((s) => Boolean(tileOf(s, person.id)?.url)), person.id)?.url as string;
      assert.equal((await redeem(app, url)).status, 200);
      const welcome = await screen.waitFor((s) => tileOf(s, person.id)?.welcome === true, "the welcome tile");
      assert.equal(tileOf(welcome, person.id)?.url, null, "no code while welcoming");
      await screen.waitFor((s) => !tileOf(s, person.id), "the tile to leave", 20_000);
      screen.close();
    });

    it("stops a revoked or regenerated invitation's codes at once", async () => {
      const { kiosk, cookie } = await enrolledKiosk(app, "Revocation");
      const screen = await ScreenClient.connect(app.url, cookie);
      const [p1, p2] = [await pendingPerson(app, "Nil", "Roca"), await pendingPerson(app, "Pau", "Mas")];
      await app.ctx.kiosks.display(kiosk.id, p1.id, cliActor());
      await app.ctx.kiosks.display(kiosk.id, p2.id, cliActor());
      const s = await screen.waitFor((st) => Boolean(tileOf(st, p1.id)?.url && tileOf(st, p2.id)?.url));
      const [u1, u2] = [tileOf(s, p1.id)?.url as string, tileOf(s, p2.id)?.url as string];

      await app.ctx.invitations.regenerate(p1.id, cliActor());
      const after1 = await screen.waitFor(
        (st) => Boolean(tileOf(st, p1.id)?.url) && !tileOf(st, p1.id)?.url?.startsWith(u1.slice(0, u1.lastIndexOf("."))),
        "a code of the new invitation",
      );
      assert.ok(tileOf(after1, p1.id));
      assertProblem(await redeem(app, u1), 410);

      await app.ctx.invitations.revoke(p2.id, cliActor());
      await screen.waitFor((st) => !tileOf(st, p2.id), "the revoked person to leave the screen");
      assertProblem(await redeem(app, u2), 410);
      screen.close();
    });

    it("shows four people at once and the next one when a tile frees up", async () => {
      const { kiosk, cookie } = await enrolledKiosk(app, "Queue");
      const screen = await ScreenClient.connect(app.url, cookie);
      const people: Array<{ id: number }> = [];
      for (const name of ["Ada", "Bea", "Carl", "Dan", "Eva"]) people.push(await pendingPerson(app, name, "Test"));
      for (const p of people) await app.ctx.kiosks.display(kiosk.id, p.id, cliActor());
      const full = await screen.waitFor((s) => s.tiles.length === 4 && s.waiting === 1, "four tiles and one waiting");
      assert.equal(tileOf(full, people[4]?.id as number), undefined);
      const res = await call(app, "DELETE", `/kiosks/${kiosk.id}/display/${people[0]?.id}`, { key });
      assert.equal(res.status, 204);
      await screen.waitFor(
        (s) => Boolean(tileOf(s, people[4]?.id as number)) && s.waiting === 0,
        "Eva to move into the free tile",
      );
      screen.close();
    });

    it("takes an entry off when its display time is up", async () => {
      const { kiosk, cookie } = await enrolledKiosk(app, "Expiry");
      const screen = await ScreenClient.connect(app.url, cookie);
      const person = await pendingPerson(app, "Olga", "Vera");
      await app.ctx.kiosks.display(kiosk.id, person.id, cliActor());
      const shown = await screen.waitFor((s) => Boolean(tileOf(s, person.id)));
      const expiresAt = shown.tiles[0].expiresAt as number;
      assert.equal(
        expiresAt - shown.serverNow <= 10 * 60_000 && expiresAt - shown.serverNow > 9 * 60_000,
        true,
        "KIOSK_DISPLAY_MINUTES, default 10",
      );
      // Ten minutes pass in the data, not on the clock: the entry's time is up now.
      await app.ctx
        .db("kiosk_entries")
        .where({ kiosk_id: kiosk.id })
        .update({ expires_at: Date.now() - 1 });
      app.ctx.kioskLive.changed(kiosk.id);
      await screen.waitFor((s) => s.tiles.length === 0, "the screen to go idle");
      screen.close();
    });

    it("validates the display action", async () => {
      const { kiosk } = await enrolledKiosk(app, "Validation");
      const missing = await call(app, "POST", `/kiosks/${kiosk.id}/display`, { key, body: {} });
      assertProblem(missing, 400);
      assert.equal(missing.body.errors.userId, "is required");
      assertProblem(await call(app, "POST", `/kiosks/${kiosk.id}/display`, { key, body: { userId: "7" } }), 400);
      assertProblem(await call(app, "POST", `/kiosks/${kiosk.id}/display`, { key, body: { userId: 999999 } }), 404);
      assertProblem(await call(app, "POST", "/kiosks/999999/display", { key, body: { userId: 1 } }), 404);
      const joined = await pendingPerson(app, "Joined", "Already");
      await app.ctx.users.join(joined.id, "link", cliActor());
      assertProblem(await call(app, "POST", `/kiosks/${kiosk.id}/display`, { key, body: { userId: joined.id } }), 409);
      const created = await call(app, "POST", "/kiosks", { key, body: { name: "", rotateSeconds: 2 } });
      assertProblem(created, 400);
      assert.deepEqual(Object.keys(created.body.errors).sort(), ["name", "rotateSeconds"]);
      assertProblem(await call(app, "GET", "/kiosks", {}), 401);
    });

    it("sends an unpaired screen back to pairing at once; its credential stops working", async () => {
      const { kiosk, cookie } = await enrolledKiosk(app, "Unpair");
      const screen = await ScreenClient.connect(app.url, cookie);
      await screen.waitFor((s) => s.kiosk.name === "Unpair");
      const unpaired = nextEvent(screen.socket, "unpaired");
      const disconnected = nextEvent(screen.socket, "disconnect");
      const res = await call(app, "POST", `/kiosks/${kiosk.id}/unpair`, { key });
      assert.equal(res.status, 200);
      assert.equal(res.body.paired, false);
      await unpaired;
      assert.equal(await disconnected, "io server disconnect");
      await assert.rejects(connectTo(app.url, "/kiosk", { cookie }), /unauthorized/);
      const page = await fetch(`${app.url}/kiosk`, { headers: { cookie }, redirect: "manual" });
      assert.match(await page.text(), /Pair this screen/);
    });

    it("pairs a screen by the code it shows", async () => {
      const screen = new PageClient(app.url);
      const first = await screen.get("/kiosk");
      const code = (/data-pair-code>(\d{3}) (\d{3})</.exec(first.text) ?? []).slice(1).join("");
      assert.match(code, /^\d{6}$/);
      assert.match(
        (await screen.get("/kiosk")).text,
        new RegExp(`${code.slice(0, 3)} ${code.slice(3)}`),
        "a reload shows the same code",
      );
      const waiting = await connectTo(app.url, "/kiosk", { cookie: screen.cookieHeader() });
      const created = await call(app, "POST", "/kiosks", { key, body: { name: "Typed", language: "es" } });
      assert.equal(created.status, 201);
      assert.match(created.body.enrollUrl, /\/kiosk\/enroll\/[\w-]+$/);
      const wrong = await call(app, "POST", `/kiosks/${created.body.id}/pair`, {
        key,
        body: { code: code === "000000" ? "000001" : "000000" },
      });
      assertProblem(wrong, 400);
      assert.ok(wrong.body.errors.code);
      const paired = nextEvent(waiting, "paired");
      const ok = await call(app, "POST", `/kiosks/${created.body.id}/pair`, { key, body: { code } });
      assert.equal(ok.status, 200);
      await paired;
      waiting.close();
      const claimed = await screen.get("/kiosk");
      assert.equal(claimed.status, 303);
      const display = await screen.get("/kiosk");
      assert.match(display.text, /data-mode="display"/);
      const s = await ScreenClient.connect(app.url, screen.cookieHeader());
      await s.waitFor((st) => st.kiosk.name === "Typed" && st.kiosk.language === "es");
      s.close();
    });

    it("logs neither enrolment links nor rotating codes", async () => {
      const { redactUrl } = await import("../../server/core/log.js");
      assert.equal(redactUrl("/kiosk/enroll/abcDEF123_-xyz"), "/kiosk/enroll/[redacted]");
      assert.equal(redactUrl("/i/k1a.5.abcdefghijklmnopqrstuv/join"), "/i/[redacted]/join");
    });
  });

  describe(`a kiosk screen across a server restart on ${dialect}`, () => {
    let db: TestDatabase;
    before(async () => {
      db = await freshDatabase(dialect);
    });
    after(() => db.drop());

    it("reconnects by itself and shows what it showed, from the database", async () => {
      let app = await startOn(db, { KIOSK_ROTATE_SECONDS: "5" });
      const port = new URL(app.url).port;
      const { kiosk, cookie } = await enrolledKiosk(app, "Restart");
      const person = await pendingPerson(app, "Lola", "Gil");
      await app.ctx.kiosks.display(kiosk.id, person.id, cliActor());
      const screen = await ScreenClient.connect(app.url, cookie, { reconnection: true });
      await screen.waitFor((s) => Boolean(tileOf(s, person.id)?.url));
      const gone = nextEvent(screen.socket, "disconnect");
      await app.stop();
      assert.equal(await gone, "transport close", "a restart is a lost connection, not a dismissal");
      screen.last = null;
      app = await startOn(db, { KIOSK_ROTATE_SECONDS: "5", PORT: port });
      try {
        const back = await screen.waitFor((s) => Boolean(tileOf(s, person.id)?.url), "the same person after the restart");
        assert.equal(tileOf(back, person.id)?.label, "Lola G.");
      } finally {
        screen.close();
        await app.stop();
      }
    });
  });
}

describe("two instances sharing MariaDB and Redis", async () => {
  const hasMariaDb = (await dialects()).includes("mariadb");
  const ok =
    hasMariaDb && requireOrSkip("Redis", await redisReachable(REDIS_URL), "apt-get install redis-server, or set TEST_REDIS_URL");
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  before(async () => {
    if (!ok) return;
    db = await freshDatabase("mariadb");
    a = await startOn(db, { REDIS_URL, KIOSK_ROTATE_SECONDS: "5" });
    b = await startOn(db, { REDIS_URL, KIOSK_ROTATE_SECONDS: "5" });
  });
  after(async () => {
    if (!ok) return;
    await a.stop();
    await b.stop();
    await db.drop();
  });

  it("the display action on one reaches a kiosk connected to the other, and so does unpairing", {
    skip: !ok && "MariaDB or Redis missing",
  }, async () => {
    const key = await createApiKey(a.ctx);
    const { kiosk, cookie } = await enrolledKiosk(a, "Shared");
    const screen = await ScreenClient.connect(b.url, cookie);
    await screen.waitFor((s) => s.kiosk.name === "Shared");
    const person = await pendingPerson(a, "Joan", "Puig");
    assert.equal((await call(a, "POST", `/kiosks/${kiosk.id}/display`, { key, body: { userId: person.id } })).status, 201);
    const state = await screen.waitFor((s) => Boolean(tileOf(s, person.id)?.url), "the tile, sent by the other instance");
    // The code from instance B redeems on instance A, and B's screen says welcome.
    assert.equal((await call(a, "POST", "/invitations/redeem", { body: { token: tileOf(state, person.id)?.url } })).status, 200);
    await screen.waitFor((s) => tileOf(s, person.id)?.welcome === true, "the welcome, across instances");
    const listed = await call(a, "GET", `/kiosks/${kiosk.id}`, { key });
    assert.equal(listed.body.online, true, "instance A sees the screen connected to B");
    const unpaired = nextEvent(screen.socket, "unpaired");
    await call(a, "POST", `/kiosks/${kiosk.id}/unpair`, { key });
    await unpaired;
    screen.close();
  });
});
