import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, utimesSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { build, DIST, isStale } from "../../scripts/build.mjs";
import { cliActor } from "../../server/core/events.js";
import { createApiKey, startOn, type TestApp } from "../support/app.js";
import { freshDatabase, type TestDatabase } from "../support/databases.js";
import { personInput } from "../support/people.js";
import { freePort, ROOT, waitFor } from "../support/process.js";

/**
 * `npm start` as production runs it: scripts/start.mjs on the compiled code in dist/ (no
 * TypeScript loader), its render and QR worker threads compiled too. The database does not
 * change what is compiled: SQLite alone.
 */
describe("the compiled service (npm start)", () => {
  let database: TestDatabase;
  let setup: TestApp;

  before(async () => {
    database = await freshDatabase("sqlite");
    setup = await startOn(database);
  });
  after(async () => {
    await setup?.stop();
    await database?.drop();
  });

  it("is rebuilt when a source is newer than the build", async () => {
    await build();
    assert.equal(isStale(), false);
    const source = path.join(ROOT, "server/core/root.ts");
    const later = new Date(Date.now() + 5_000);
    utimesSync(source, later, later);
    try {
      assert.equal(isStale(), true);
    } finally {
      const now = new Date();
      utimesSync(source, now, now);
    }
  });

  it("starts from dist/ and renders a letter through the API on its compiled worker threads", async () => {
    const user = await setup.ctx.users.create(personInput({ firstName: "Chloé", lastName: "Dubois" }), cliActor());
    const key = await createApiKey(setup.ctx, ["users", "invitations"]);
    const script = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts.start as string;
    assert.doesNotMatch(script, /tsx/, "npm start runs no TypeScript loader");
    const port = await freePort();
    // The command of `npm start`, without npm in between (so the signal reaches the service).
    const child = spawn(process.execPath, script.replace(/^node /, "").split(" "), {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        ...database.env,
        ORGANIZATION_NAME: "Acme Ibérica",
        APP_NAME: "Acme Chat",
        PORT: String(port),
        HOST: "127.0.0.1",
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitFor(
        () =>
          fetch(`${url}/healthz`).then(
            (r) => r.ok,
            () => false,
          ),
        30_000,
        "the compiled service",
      );
      const res = await fetch(`${url}/api/v1/users/${user.id}/invitation.pdf`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(res.status, 200, output);
      assert.equal(res.headers.get("content-type"), "application/pdf");
      const pdf = Buffer.from(await res.arrayBuffer());
      assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");
      // dist/ holds the worker threads too: the render worker compiled, the QR worker copied.
      assert.ok(readFileSync(path.join(DIST, "print/letter/render-worker.js"), "utf8").length > 0);
      assert.ok(readFileSync(path.join(DIST, "print/letter/qr-worker.mjs"), "utf8").length > 0);
    } finally {
      child.kill("SIGTERM");
      assert.equal(await exited, 0, output);
    }
  });
});
