import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ADMIN_PASSWORD, createApiKey, createStaff, startOn, type TestApp } from "../support/app.js";
import { PageClient } from "../support/browser-client.js";
import { dialects, freshDatabase, type TestDatabase } from "../support/databases.js";
import { waitFor } from "../support/process.js";
import { TcpProxy } from "../support/tcp-proxy.js";

const hasMariaDb = (await dialects()).includes("mariadb");

describe("when MariaDB goes away and comes back", { skip: !hasMariaDb && "MariaDB not available" }, () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let running: TestApp;
  let key: string;
  const client = () => new PageClient(running.url);
  let page: PageClient;

  before(async () => {
    db = await freshDatabase("mariadb");
    const target = new URL(db.env.DATABASE_URL as string);
    proxy = new TcpProxy(target.hostname, Number(target.port || 3306));
    const port = await proxy.start();
    target.host = `127.0.0.1:${port}`;
    running = await startOn(db, { DATABASE_URL: target.toString() });
    const { ctx } = running;
    await createStaff(ctx, "admin");
    key = await createApiKey(ctx);
    page = client();
    await page.signIn("admin@example.com", ADMIN_PASSWORD);
  });
  after(async () => {
    await proxy.stop();
    await running.stop();
    await db.drop();
  });

  it("fails /readyz and answers 503 while the database is unreachable, then recovers by itself", async () => {
    assert.equal((await fetch(`${running.url}/readyz`)).status, 200);
    await proxy.stop();

    const ready = await fetch(`${running.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal((await fetch(`${running.url}/healthz`)).status, 200, "the process itself is alive");

    const api = await fetch(`${running.url}/api/v1/users`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(api.status, 503);
    assert.equal(api.headers.get("content-type"), "application/problem+json; charset=utf-8");
    assert.ok(api.headers.get("retry-after"));
    const html = await page.get("/users");
    assert.equal(html.status, 503);
    assert.match(html.text, /database cannot be reached/);

    await proxy.start(proxy.port);
    await waitFor(async () => (await fetch(`${running.url}/readyz`)).status === 200, 15_000, "readyz to recover");
    const back = await fetch(`${running.url}/api/v1/users`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(back.status, 200);
    assert.equal((await page.get("/users")).status, 200);
  });
});
