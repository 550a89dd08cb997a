import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Dialect, dialects, freshDatabase, type TestDatabase } from "../support/databases.js";
import { freePort, runCli, runEntry, waitFor } from "../support/process.js";

const PASSWORD = "a long enough password";

for (const dialect of (await dialects()) as Dialect[]) {
  describe(`the service process and command line on ${dialect}`, () => {
    let db: TestDatabase;
    before(async () => {
      db = await freshDatabase(dialect);
    });
    after(() => db.drop());

    it("starts, prints a one-time setup link that works, and stops cleanly on SIGTERM", async (t) => {
      const port = await freePort();
      const proc = runEntry("server/main.ts", [], { ...db.env, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "info" });
      t.after(() => {
        if (proc.child.exitCode === null) proc.child.kill("SIGKILL");
      });
      const link = await waitFor(() => /http:\/\/localhost:\d+\/setup\/[\w-]{43}/.exec(proc.stdout())?.[0], 30_000, "setup link");
      const res = await fetch(link.replace("localhost", "127.0.0.1"));
      assert.equal(res.status, 200);
      assert.match(await res.text(), /Create the first admin/);
      assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
      assert.doesNotMatch(proc.stderr(), /setup\/[\w-]{43}/, "the setup secret is not in the log");
      // One log line per request, with its id (given by the caller, or made and answered) and the secret redacted.
      const traced = await fetch(link.replace("localhost", "127.0.0.1"), { headers: { "x-request-id": "trace-42" } });
      assert.equal(traced.headers.get("x-request-id"), "trace-42");
      const lines = await waitFor(
        () => {
          const json = proc
            .stdout()
            .split("\n")
            .filter((l) => l.startsWith("{"))
            .map((l) => JSON.parse(l) as { msg?: string; req?: { id?: string; url?: string }; res?: { statusCode?: number } });
          return json.some((l) => l.req?.id === "trace-42") ? json : undefined;
        },
        5_000,
        "the request's log line",
      );
      const line = lines.find((l) => l.req?.id === "trace-42");
      assert.equal(line?.msg, "request completed");
      assert.equal(line?.req?.url, "/setup/[redacted]");
      assert.equal(line?.res?.statusCode, 200);
      assert.ok(!lines.some((l) => /setup\/[\w-]{43}/.test(JSON.stringify(l))), "no setup secret in any log line");
      const started = Date.now();
      proc.child.kill("SIGTERM");
      assert.equal(await proc.exited, 0);
      assert.ok(Date.now() - started < 10_000);
    });

    it("creates an admin and an API key from the shell, printing only the result", async () => {
      const admin = await runCli(["admin", "create", "--email", "it@example.com", "--name", "IT Person"], {
        ...db.env,
        ADMIN_PASSWORD: PASSWORD,
      });
      assert.equal(admin.code, 0, admin.stderr);
      assert.equal(admin.stdout, "it@example.com (admin, #1)\n");
      const weak = await runCli(["admin", "create", "--email", "x@example.com", "--name", "X"], {
        ...db.env,
        ADMIN_PASSWORD: "short",
      });
      assert.equal(weak.code, 1);
      assert.match(weak.stderr, /password: must be at least 12 characters/);
      const key = await runCli(["apikey", "create", "--name", "HR sync", "--scopes", "users,groups"], db.env);
      assert.equal(key.code, 0, key.stderr);
      assert.match(key.stdout, /^isk_[\w-]{8}_[\w-]{43}\n$/);
      const bad = await runCli(["apikey", "create", "--name", "x", "--scopes", "users,everything"], db.env);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /scopes: unknown scope everything/);

      // The key works against the running service; with an admin present no setup link is printed.
      const port = await freePort();
      const proc = runEntry("server/main.ts", [], { ...db.env, PORT: String(port), HOST: "127.0.0.1" });
      await waitFor(
        () =>
          fetch(`http://127.0.0.1:${port}/healthz`)
            .then((r) => r.ok)
            .catch(() => false),
        30_000,
        "service",
      );
      const created = await fetch(`http://127.0.0.1:${port}/api/v1/users`, {
        method: "POST",
        headers: { authorization: `Bearer ${key.stdout.trim()}`, "content-type": "application/json" },
        body: JSON.stringify({ firstName: "Api", lastName: "Person", email: "api@example.com" }),
      });
      assert.equal(created.status, 201);
      assert.doesNotMatch(proc.stdout(), /setup\//);
      proc.child.kill("SIGTERM");
      assert.equal(await proc.exited, 0);
      assert.doesNotMatch(proc.stdout() + proc.stderr(), /isk_/, "API keys never reach the log");
    });

    it("applies migrations with cli migrate", async () => {
      const res = await runCli(["migrate"], db.env);
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /database is up to date/);
    });
  });
}

describe("invalid configuration", () => {
  it("stops the process with a message naming the variable", async () => {
    for (const [name, value] of [
      ["PORT", "eighty"],
      ["DATABASE_URL", "postgres://x/y"],
      ["INVITE_TTL_DAYS", "0"],
      ["PRINT_BATCH_CRON", "every night"],
    ]) {
      const proc = runEntry("server/main.ts", [], { DATA_DIR: "/tmp/invst-config-test", [name as string]: value as string });
      const code = await proc.exited;
      assert.equal(code, 78, `${name}: ${proc.stderr()}`);
      assert.match(proc.stderr(), new RegExp(`${name}: `));
    }
  });

  it("gives the command line's usage on an unknown command", async () => {
    const res = await runCli(["frobnicate"], { DATA_DIR: "/tmp/invst-config-test" });
    assert.equal(res.code, 2);
    assert.match(res.stderr, /Usage: npm run --silent cli/);
    assert.equal(res.stdout, "");
  });
});
