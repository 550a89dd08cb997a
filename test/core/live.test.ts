import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ADMIN_PASSWORD, createStaff, startOn, startTestApp, type TestApp } from "../support/app.js";
import { PageClient } from "../support/browser-client.js";
import { dialects, freshDatabase, type TestDatabase } from "../support/databases.js";
import { redisReachable } from "../support/redis.js";
import { requireOrSkip } from "../support/services.js";
import { connectTo } from "../support/sockets.js";

for (const dialect of await dialects()) {
  describe(`live updates for the admin pages on ${dialect}`, () => {
    let app: TestApp;
    let cookie: string;
    before(async () => {
      app = await startTestApp(dialect);
      await createStaff(app.ctx, "frontdesk", "desk@example.com");
      const page = new PageClient(app.url);
      await page.signIn("desk@example.com", ADMIN_PASSWORD);
      cookie = page.cookieHeader();
    });
    after(() => app.stop());

    it("refuses a connection without a staff session", async () => {
      await assert.rejects(connectTo(app.url, "/admin"), /unauthorized/);
      await assert.rejects(connectTo(app.url, "/admin", { cookie: "isid=forged" }), /unauthorized/);
    });

    it("delivers toAdmins broadcasts to a signed-in page", async () => {
      const socket = await connectTo(app.url, "/admin", { cookie, origin: app.url });
      try {
        const got = new Promise((resolve) => socket.once("test.ping", resolve));
        app.ctx.live.toAdmins("test.ping", { n: 1 });
        assert.deepEqual(await got, { n: 1 });
      } finally {
        socket.close();
      }
    });

    it("disconnects a page whose session ended after it connected (signed out)", async () => {
      const page = new PageClient(app.url);
      await page.signIn("desk@example.com", ADMIN_PASSWORD);
      const signedIn = page.cookieHeader();
      const socket = await connectTo(app.url, "/admin", { cookie: signedIn, origin: app.url });
      const staying = await connectTo(app.url, "/admin", { cookie, origin: app.url });
      try {
        assert.equal(await app.ctx.live.dropEndedSessions(), 0, "both sessions are good");
        const dropped = new Promise((resolve) => socket.once("disconnect", resolve));
        await page.get("/dashboard");
        const out = await page.post("/logout", {});
        assert.ok([302, 303].includes(out.status), `signed out: ${out.status}`);
        assert.equal(await app.ctx.live.dropEndedSessions(), 1);
        assert.equal(await dropped, "io server disconnect");
        assert.ok(staying.connected, "the other page stays connected");
        await assert.rejects(connectTo(app.url, "/admin", { cookie: signedIn, origin: app.url }), /unauthorized/);
      } finally {
        socket.close();
        staying.close();
      }
    });

    it("refuses a browser page of another origin, even with the cookie", async () => {
      await assert.rejects(connectTo(app.url, "/admin", { cookie, origin: "http://evil.example" }));
    });

    it("serves the Socket.IO client and the helper the admin pages load", async () => {
      const page = new PageClient(app.url);
      await page.signIn("desk@example.com", ADMIN_PASSWORD);
      const dashboard = await page.get("/dashboard");
      assert.match(dashboard.text, /<script src="\/socket.io\/socket.io.js" defer><\/script>/);
      assert.match(dashboard.text, /<script src="\/assets\/live.js" defer><\/script>/);
      assert.equal((await fetch(`${app.url}/socket.io/socket.io.js`)).status, 200);
      assert.match(await (await fetch(`${app.url}/assets/live.js`)).text(), /InviteStationLive/);
    });
  });
}

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

describe("live updates across two instances sharing MariaDB and Redis", async () => {
  const hasMariaDb = (await dialects()).includes("mariadb");
  const redisProblem = await redisReachable(REDIS_URL);
  const ok =
    hasMariaDb && requireOrSkip("Redis", redisProblem, "apt-get install redis-server and start it, or set TEST_REDIS_URL");
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  before(async () => {
    if (!ok) return;
    db = await freshDatabase("mariadb");
    a = await startOn(db, { REDIS_URL });
    b = await startOn(db, { REDIS_URL });
    await createStaff(a.ctx, "admin");
  });
  after(async () => {
    if (!ok) return;
    await a.stop();
    await b.stop();
    await db.drop();
  });

  it("a broadcast on one instance reaches a page connected to the other", {
    skip: !ok && "MariaDB or Redis missing",
  }, async () => {
    const page = new PageClient(b.url);
    await page.signIn("admin@example.com", ADMIN_PASSWORD);
    const socket = await connectTo(b.url, "/admin", { cookie: page.cookieHeader() });
    try {
      const got = new Promise((resolve) => socket.once("test.ping", resolve));
      a.ctx.live.toAdmins("test.ping", { from: "a" });
      assert.deepEqual(await got, { from: "a" });
    } finally {
      socket.close();
    }
  });
});
