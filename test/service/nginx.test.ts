import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { io } from "socket.io-client";
import { PageClient } from "../support/browser-client.js";
import { dialects, freshDatabase, type TestDatabase } from "../support/databases.js";
import { ScreenClient, tileOf } from "../support/kiosk.js";
import { type Nginx, requireNginx, startNginx } from "../support/nginx.js";
import { freePort, type Proc, runCli, runEntry, waitFor } from "../support/process.js";
import { redisReachable } from "../support/redis.js";
import { requireOrSkip } from "../support/services.js";

// The proxy's certificate is self-signed, made for this run.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const PASSWORD = "a long enough password";
const hasMariaDb = (await dialects()).includes("mariadb");
const ok =
  hasMariaDb &&
  requireNginx() &&
  requireOrSkip("Redis", await redisReachable(REDIS_URL), "apt-get install redis-server, or set TEST_REDIS_URL");

/**
 * The shipped deploy/nginx.conf in front of two service processes on one MariaDB database
 * and Redis, everything through HTTPS: admin pages, the API, a kiosk; then the instance the
 * kiosk is on is killed.
 */
describe("two instances behind nginx", { skip: !ok && "MariaDB, Redis or nginx missing" }, () => {
  let db: TestDatabase;
  let proxy: Nginx;
  let key: string;
  const ports: number[] = [];
  const procs: Proc[] = [];
  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${proxy.httpsUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { "content-type": "application/json" } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  /** Kiosk screens connected to one instance, from its own /metrics (loopback, no token). */
  const kiosksOn = async (port: number) => {
    const text = await fetch(`http://127.0.0.1:${port}/metrics`)
      .then((r) => r.text())
      .catch(() => "");
    return Number(/^invite_station_kiosks_connected (\d+)$/m.exec(text)?.[1] ?? 0);
  };

  before(async () => {
    db = await freshDatabase("mariadb");
    const admin = await runCli(["admin", "create", "--email", "it@example.com", "--name", "IT"], {
      ...db.env,
      ADMIN_PASSWORD: PASSWORD,
    });
    assert.equal(admin.code, 0, admin.stderr);
    const created = await runCli(["apikey", "create", "--name", "ops", "--scopes", "users,invitations,kiosks"], db.env);
    key = created.stdout.trim();
    ports.push(await freePort(), await freePort());
    proxy = await startNginx(ports);
    for (const port of ports) {
      procs.push(
        runEntry("server/main.ts", [], {
          ...db.env,
          REDIS_URL,
          PORT: String(port),
          HOST: "127.0.0.1",
          PUBLIC_URL: proxy.httpsUrl,
          TRUST_PROXY: "1",
          KIOSK_ROTATE_SECONDS: "5",
        }),
      );
    }
    for (const port of ports) {
      await waitFor(
        () =>
          fetch(`http://127.0.0.1:${port}/readyz`)
            .then((r) => r.ok)
            .catch(() => false),
        30_000,
        `instance on ${port}`,
      );
    }
  });
  after(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill("SIGKILL");
    await proxy?.stop();
    await db?.drop();
  });

  it("redirects http to https and serves /readyz, admin pages and the API through it", async () => {
    const plain = await fetch(`${proxy.httpUrl}/login`, { redirect: "manual" });
    assert.equal(plain.status, 301);
    const ready = await fetch(`${proxy.httpsUrl}/readyz`);
    assert.equal(ready.status, 200);
    const checks = (await ready.json()).checks;
    assert.equal(checks.database.status, "ok");
    assert.equal(checks.redis.status, "ok");
    assert.equal(
      (await fetch(`${proxy.httpsUrl}/metrics`)).status,
      404,
      "metrics are scraped per instance, not through the proxy",
    );

    const page = new PageClient(proxy.httpsUrl);
    await page.signIn("it@example.com", PASSWORD);
    const users = await page.get("/users");
    assert.equal(users.status, 200);
    const created = await api("POST", "/users", { firstName: "Proxy", lastName: "Person", email: "proxy@example.com" });
    assert.equal(created.status, 201);
    assert.match((await page.get(`/users/${created.body.id}`)).text, /Proxy/);
  });

  it("a kiosk reconnects through the proxy to the other instance within 5 s, keeps its people, and sees a redemption", async () => {
    const kiosk = await api("POST", "/kiosks", { name: "Lobby" });
    assert.equal(kiosk.status, 201);
    const screenPage = new PageClient(proxy.httpsUrl);
    const enrolPath = new URL(kiosk.body.enrollUrl).pathname;
    await screenPage.get(enrolPath);
    assert.equal((await screenPage.post(enrolPath, {})).status, 303);

    // Long polling first, then the upgrade, as a browser does: polling needs the stickiness.
    const socket = io(`${proxy.httpsUrl}/kiosk`, {
      transports: ["polling", "websocket"],
      extraHeaders: { cookie: screenPage.cookieHeader() },
      rejectUnauthorized: false,
      reconnectionDelay: 100,
      reconnectionDelayMax: 500,
      forceNew: true,
    });
    const screen = new ScreenClient(socket);
    try {
      await screen.waitFor((s) => s?.kiosk?.name === "Lobby", "the kiosk's first state");
      await waitFor(() => socket.io.engine?.transport?.name === "websocket", 10_000, "the websocket upgrade");
      const person = await api("POST", "/users", { firstName: "Ines", lastName: "Vidal", email: "ines@example.com" });
      assert.equal((await api("POST", `/kiosks/${kiosk.body.id}/display`, { userId: person.body.id })).status, 201);
      await screen.waitFor((s) => Boolean(tileOf(s, person.body.id)?.url), "the person's tile");

      const on = await waitFor(async () => {
        const counts = await Promise.all(ports.map(kiosksOn));
        const i = counts.indexOf(1);
        return i >= 0 ? { index: i } : null;
      });
      const victim = procs[on.index] as Proc;
      const survivor = ports[1 - on.index] as number;
      const disconnected = new Promise<void>((r) => socket.once("disconnect", () => r()));
      victim.child.kill("SIGKILL");
      await disconnected;
      screen.last = null;
      // Back within 5 s, through the proxy, on the other instance, still showing the person.
      const back = await screen.waitFor((s) => Boolean(tileOf(s, person.body.id)?.url), "the tile after the kill", 5_000);
      assert.equal(tileOf(back, person.body.id)?.label, "Ines V.");
      assert.equal(await kiosksOn(survivor), 1);

      // The code on the screen redeems through the proxy; the screen says welcome, once.
      const redeemed = await api("POST", "/invitations/redeem", { token: tileOf(back, person.body.id)?.url });
      assert.equal(redeemed.status, 200, JSON.stringify(redeemed.body));
      const welcome = await screen.waitFor((s) => tileOf(s, person.body.id)?.welcome === true, "the welcome");
      assert.equal(
        (welcome.tiles as Array<{ userId: number }>).filter((t) => t.userId === person.body.id).length,
        1,
        "no duplicate",
      );
      assert.equal((await api("POST", "/invitations/redeem", { token: tileOf(back, person.body.id)?.url })).status, 410);
      const joined = await api("GET", `/users/${person.body.id}`);
      assert.equal(joined.body.status, "active");
    } finally {
      socket.close();
    }
  });

  it("with TRUST_PROXY=1 a client cannot pick its own address through the appending proxy", async () => {
    // Guesses from "many addresses" (a forged X-Forwarded-For each) are all one client, the
    // address nginx saw: the per-address limit holds.
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await api(
        "POST",
        "/invitations/redeem",
        { token: `forged-${i}-${"x".repeat(30)}` },
        {
          "x-forwarded-for": `198.51.100.${i + 1}`,
        },
      );
      statuses.push(res.status);
    }
    const evaluated = statuses.filter((s) => s !== 429).length;
    assert.ok(evaluated <= 20, `at most the limit of 20 guesses is evaluated (${evaluated})`);
    assert.ok(statuses.includes(429));
  });
});
