import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import { cliActor } from "../../server/core/events.js";
import { statusCounts } from "../../server/people/users.repo.js";
import type { UserInput } from "../../server/people/users.schema.js";
import { assertProblem, call, type Reply } from "../support/api-client.js";
import { createApiKey, startOn, startTestApp, type TestApp } from "../support/app.js";
import { dialects } from "../support/databases.js";
import { personInput } from "../support/people.js";

/** The app redeeming: public, no key. */
const redeem = (app: TestApp, body: unknown) => call(app, "POST", "/invitations/redeem", { body });

/** A redeem from another loopback address (another client, as the rate limit sees it). */
function redeemFrom(app: TestApp, localAddress: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const url = new URL(`${app.url}/api/v1/invitations/redeem`);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        localAddress,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c) => {
          text += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

function assertGone(reply: Reply, reason: "expired" | "revoked" | "used") {
  assertProblem(reply, 410);
  assert.equal(reply.body.reason, reason);
}

const tokenOf = (url: string) => url.split("/").pop() as string;

let serial = 0;
const person = (fields: Partial<UserInput> = {}): UserInput =>
  personInput({ firstName: "Inés", lastName: `Invitada ${++serial}`, language: "es", ...fields });

for (const dialect of await dialects()) {
  describe(`invitations API (${dialect})`, () => {
    let app: TestApp;
    let key: string;
    const api = (method: string, path: string, opts: Parameters<typeof call>[3] = {}) =>
      call(app, method, path, { key, ...opts });
    const register = async (fields: Partial<UserInput> = {}) => (await app.ctx.users.create(person(fields), cliActor())).id;
    const invitationOf = async (id: number) => {
      const reply = await api("GET", `/users/${id}/invitation`);
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      return reply.body as { url: string; code: string; state: string; createdAt: string; expiresAt: string | null };
    };

    // Every 404 and 410 below counts toward the guessing limit of 127.0.0.1 (20 a minute):
    // this suite stays well under it; the limit itself is tested on an app of its own.
    before(async () => {
      app = await startTestApp(dialect);
      key = await createApiKey(app.ctx, ["invitations", "users"]);
    });
    after(() => app?.stop());

    describe("showing, regenerating and revoking", () => {
      it("shows the same link and code on every call, with a 256-bit token and an expiry", async () => {
        const id = await register();
        const first = await invitationOf(id);
        assert.deepEqual(Object.keys(first).sort(), ["code", "createdAt", "expiresAt", "state", "url"]);
        assert.equal(first.state, "active");
        assert.match(first.url, new RegExp(`^${app.url}/i/[A-Za-z0-9_-]{43}$`));
        assert.match(first.code, /^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
        assert.ok(first.createdAt.endsWith("Z"));
        const days = (Date.parse(first.expiresAt as string) - Date.parse(first.createdAt)) / 86_400_000;
        assert.equal(Math.round(days), 30);
        const second = await invitationOf(id);
        assert.deepEqual(second, first);
      });

      it("stores neither the token nor the code", async () => {
        const id = await register();
        const { url, code } = await invitationOf(id);
        const rows = await app.ctx.db("invitations").where({ user_id: id });
        assert.equal(rows.length, 1);
        const stored = JSON.stringify(rows);
        for (const secret of [tokenOf(url), code, code.replace("-", ""), code.replace("-", "").toLowerCase()]) {
          assert.ok(!stored.includes(secret), `the invitations row contains ${secret.slice(0, 4)}…`);
        }
      });

      it("regenerating gives a new link and code; the old link is refused at once (410)", async () => {
        const id = await register();
        const old = await invitationOf(id);
        const reply = await api("POST", `/users/${id}/invitation/regenerate`);
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        assert.deepEqual(Object.keys(reply.body).sort(), ["code", "createdAt", "expiresAt", "state", "url"]);
        assert.equal(reply.body.state, "active");
        assert.notEqual(reply.body.url, old.url);
        assert.notEqual(reply.body.code, old.code);
        assert.deepEqual(await invitationOf(id), reply.body);

        assertGone(await redeem(app, { token: tokenOf(old.url) }), "revoked");
        const ok = await redeem(app, { token: tokenOf(reply.body.url) });
        assert.equal(ok.status, 200, JSON.stringify(ok.body));
        assert.equal(ok.body.user.id, id);
      });

      it("revoking refuses the link (410) and shows the state; regenerating afterwards starts anew", async () => {
        const id = await register();
        const { url } = await invitationOf(id);
        const reply = await api("POST", `/users/${id}/invitation/revoke`);
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        assert.equal(reply.body.state, "revoked");
        assert.equal(reply.body.url, url);
        assert.equal((await invitationOf(id)).state, "revoked");
        assertGone(await redeem(app, { token: tokenOf(url) }), "revoked");

        const fresh = await api("POST", `/users/${id}/invitation/regenerate`);
        assert.equal(fresh.body.state, "active");
        assert.equal((await redeem(app, { token: tokenOf(fresh.body.url) })).status, 200);
      });

      it("revokes a person's invitation even before anyone looked at it", async () => {
        const id = await register();
        const reply = await api("POST", `/users/${id}/invitation/revoke`);
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        assert.equal(reply.body.state, "revoked");
      });

      it("leaves one working link when two admins regenerate at once", async () => {
        const id = await register();
        await invitationOf(id);
        const replies = await Promise.all([
          api("POST", `/users/${id}/invitation/regenerate`),
          api("POST", `/users/${id}/invitation/regenerate`),
        ]);
        const shown = await invitationOf(id);
        const others = replies.map((r) => r.body.url as string).filter((url) => url !== shown.url);
        for (const url of others) assertGone(await redeem(app, { token: tokenOf(url) }), "revoked");
        const open = await app.ctx.db("invitations").where({ user_id: id }).whereNotNull("open_user_id");
        assert.equal(open.length, 1);
      });

      it("makes one invitation when two people look at a new person's link at once", async () => {
        const id = await register();
        const seen = await Promise.all([invitationOf(id), invitationOf(id), invitationOf(id)]);
        assert.equal(new Set(seen.map((s) => s.url)).size, 1);
        assert.equal((await app.ctx.db("invitations").where({ user_id: id })).length, 1);
      });

      it("refuses to regenerate for a deactivated person (409)", async () => {
        const id = await register();
        await app.ctx.users.deactivate(id, cliActor());
        assertProblem(await api("POST", `/users/${id}/invitation/regenerate`), 409);
      });

      it("answers 404 for unknown people and ids that are not ids", async () => {
        for (const id of ["999999", "abc", "0"]) {
          assertProblem(await api("GET", `/users/${id}/invitation`), 404);
          assertProblem(await api("POST", `/users/${id}/invitation/regenerate`), 404);
          assertProblem(await api("POST", `/users/${id}/invitation/revoke`), 404);
        }
      });
    });

    describe("redeeming", () => {
      it("joins the person: 200 with the first name and the organization, status active with time and channel", async () => {
        const id = await register({ firstName: "Lucía", lastName: "Redime", email: "lucia.redime@example.com" });
        const { url } = await invitationOf(id);
        const reply = await redeem(app, { token: tokenOf(url) });
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        assert.deepEqual(reply.body, {
          user: { id, firstName: "Lucía", lastName: "Redime", language: "es" },
          organization: { name: "Acme Logistics" },
        });
        const user = (await api("GET", `/users/${id}`)).body;
        assert.equal(user.status, "active");
        assert.ok(!Number.isNaN(Date.parse(user.joinedAt)) && user.joinedAt.endsWith("Z"));
        assert.equal(user.joinedChannel, "app");
        assert.equal((await invitationOf(id)).state, "used");
      });

      it("is single-use: the second redemption is 410 used", async () => {
        const id = await register();
        const { url } = await invitationOf(id);
        assert.equal((await redeem(app, { token: tokenOf(url), channel: "link" })).status, 200);
        assertGone(await redeem(app, { token: tokenOf(url), channel: "link" }), "used");
        assert.equal((await api("GET", `/users/${id}`)).body.joinedChannel, "link");
      });

      it("refuses an expired link (410 expired)", async () => {
        const id = await register();
        const { url } = await invitationOf(id);
        await app.ctx
          .db("invitations")
          .where({ user_id: id })
          .update({ expires_at: Date.now() - 1_000 });
        assertGone(await redeem(app, { token: tokenOf(url) }), "expired");
        assert.equal((await invitationOf(id)).state, "expired");
        assert.equal((await api("GET", `/users/${id}`)).body.status, "pending");
      });

      it("accepts the typed code in lower case, without its dash", async () => {
        const id = await register();
        const { code } = await invitationOf(id);
        const reply = await redeem(app, { token: code.replace("-", "").toLowerCase(), channel: "code" });
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        assert.equal(reply.body.user.id, id);
        const user = (await api("GET", `/users/${id}`)).body;
        assert.deepEqual([user.status, user.joinedChannel], ["active", "code"]);
      });

      it("accepts the whole link, as scanned from the QR code", async () => {
        const id = await register();
        const { url } = await invitationOf(id);
        const reply = await redeem(app, { token: `  ${url}?utm_source=letter#join `, channel: "qr" });
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        assert.equal(reply.body.user.id, id);
        assert.equal((await api("GET", `/users/${id}`)).body.joinedChannel, "qr");
      });

      it("refuses a deactivated person's link exactly like a revoked one", async () => {
        const deactivated = await register();
        const link = await invitationOf(deactivated);
        await app.ctx.users.deactivate(deactivated, cliActor());
        const gone = await redeem(app, { token: tokenOf(link.url) });
        assertGone(gone, "revoked");

        const revoked = await register();
        await api("POST", `/users/${revoked}/invitation/revoke`);
        const other = await redeem(app, { token: tokenOf((await invitationOf(revoked)).url) });
        assert.deepEqual(gone.body, other.body);
        assert.equal((await api("GET", `/users/${deactivated}`)).body.status, "deactivated");
      });

      it("answers 404 for a token or code nobody was given", async () => {
        assertProblem(await redeem(app, { token: "A".repeat(43) }), 404);
        assertProblem(await redeem(app, { token: "ABCD-EFGH" }), 404);
      });

      it("answers 400 naming token or channel for bad input, and never counts it as a guess", async () => {
        for (const body of [
          {},
          { token: "" },
          { token: "   " },
          { token: 42 },
          { token: null },
          { token: ["x"] },
          { token: "x".repeat(301) },
        ]) {
          const reply = await redeem(app, body);
          assertProblem(reply, 400);
          assert.deepEqual(Object.keys(reply.body.errors), ["token"], JSON.stringify(body));
        }
        for (const channel of ["sms", "", null, 3, "phone"]) {
          const reply = await redeem(app, { token: "ABCD-EFGH", channel });
          assertProblem(reply, 400);
          assert.deepEqual(Object.keys(reply.body.errors), ["channel"], String(channel));
        }
        const extra = await redeem(app, { token: "ABCD-EFGH", userId: 1 });
        assertProblem(extra, 400);
        assert.ok(extra.body.errors.userId);
        assertProblem(await call(app, "POST", "/invitations/redeem", { raw: "[]" }), 400);
        assertProblem(await call(app, "POST", "/invitations/redeem", { raw: "token=x", contentType: "text/plain" }), 400);
      });

      it("needs no API key, and an invalid one does not get in the way", async () => {
        const id = await register();
        const { url } = await invitationOf(id);
        const reply = await call(app, "POST", "/invitations/redeem", { key: "isk_nope", body: { token: tokenOf(url) } });
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
      });

      it("records user.joined in the audit log, and no token or code in any audit entry", async () => {
        const id = await register();
        const { url, code } = await invitationOf(id);
        await api("POST", `/users/${id}/invitation/regenerate`);
        const current = await invitationOf(id);
        assert.equal((await redeem(app, { token: current.url })).status, 200);

        const entries = await app.ctx.audit.forTarget("user", id);
        const actions = entries.map((e) => e.action);
        assert.ok(actions.includes("user.joined"), actions.join());
        assert.ok(actions.includes("invitation.regenerated"), actions.join());
        const everything = JSON.stringify(await app.ctx.db("audit_log").select("*"));
        for (const secret of [tokenOf(url), tokenOf(current.url), code, current.code]) {
          assert.ok(!everything.includes(secret), `the audit log contains ${secret.slice(0, 4)}…`);
        }
      });
    });

    describe("many at once", () => {
      // Redemptions arriving together join in one transaction; these pin that each still
      // gets its own answer, and that a refused one costs the others nothing.
      it("joins everyone of a crowd, each once, with the counters and the audit in step", async () => {
        const ids = await Promise.all(Array.from({ length: 12 }, () => register()));
        const urls = await Promise.all(ids.map(async (id) => (await invitationOf(id)).url));
        const before = await statusCounts(app.ctx.db);
        const replies = await Promise.all(urls.map((url) => redeem(app, { token: tokenOf(url), channel: "qr" })));
        assert.deepEqual(
          replies.map((r) => r.status),
          ids.map(() => 200),
        );
        assert.deepEqual(
          replies.map((r) => r.body.user.id),
          ids,
        );
        const joined = await app.ctx.db("users").whereIn("id", ids).select("status", "joined_channel");
        assert.ok(joined.every((u) => u.status === "active" && u.joined_channel === "qr"));
        const members = await app.ctx.db("user_search_terms").whereIn("user_id", ids).distinct("status");
        assert.deepEqual(members, [{ status: "active" }]);
        const after = await statusCounts(app.ctx.db);
        assert.equal(after.active, before.active + ids.length);
        assert.equal(after.pending, before.pending - ids.length);
        const audit = await app.ctx.db("audit_log").where({ action: "user.joined" }).whereIn("target_id", ids.map(String));
        assert.equal(audit.length, ids.length);
      });

      it("a link used twice at once joins once; the other gets 410 used; a deactivated person among them is refused and the crowd around them joins", async () => {
        const ids = await Promise.all(Array.from({ length: 5 }, () => register()));
        const tokens = await Promise.all(ids.map(async (id) => tokenOf((await invitationOf(id)).url)));
        const gone = await register();
        const goneToken = tokenOf((await invitationOf(gone)).url);
        await app.ctx.users.deactivate(gone, cliActor());
        const twice = tokens[0] as string;
        const replies = await Promise.all([twice, ...tokens, goneToken].map((token) => redeem(app, { token })));
        const statuses = replies.map((r) => r.status);
        assert.equal(statuses.filter((s) => s === 200).length, tokens.length, JSON.stringify(statuses));
        const refused = replies.filter((r) => r.status !== 200);
        assert.equal(refused.length, 2);
        for (const r of refused) assertProblem(r, 410);
        assert.deepEqual(refused.map((r) => r.body.reason).sort(), ["revoked", "used"]);
        const rows = await app.ctx.db("users").whereIn("id", ids).select("status");
        assert.ok(rows.every((u) => u.status === "active"));
        assert.equal((await app.ctx.users.get(gone)).status, "deactivated");
      });
    });

    describe("authentication", () => {
      it("answers 401 without a key and 403 without the invitations scope", async () => {
        const id = await register();
        const usersOnly = await createApiKey(app.ctx, ["users"]);
        for (const [method, path] of [
          ["GET", `/users/${id}/invitation`],
          ["POST", `/users/${id}/invitation/regenerate`],
          ["POST", `/users/${id}/invitation/revoke`],
        ] as const) {
          assertProblem(await call(app, method, path, { key: null }), 401);
          assertProblem(await call(app, method, path, { key: "isk_nope" }), 401);
          assertProblem(await call(app, method, path, { key: usersOnly }), 403);
        }
        assert.equal((await invitationOf(id)).state, "active");
      });
    });
  });

  describe(`invitations rate limit (${dialect})`, () => {
    let app: TestApp;
    before(async () => {
      app = await startTestApp(dialect);
    });
    after(() => app?.stop());

    it("answers 429 with Retry-After from the 21st failure in a minute, then even for a valid link from that client", async () => {
      const id = (await app.ctx.users.create(person(), cliActor())).id;
      const { token } = await app.ctx.invitations.current(id);

      for (let i = 0; i < 20; i++) {
        const guess = await redeem(app, { token: `${"B".repeat(42)}${i % 10}` });
        assertProblem(guess, 404);
      }
      const limited = await redeem(app, { token: "C".repeat(43) });
      assertProblem(limited, 429);
      const retryAfter = Number(limited.headers.get("retry-after"));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, String(retryAfter));

      assertProblem(await redeem(app, { token }), 429);
      assert.equal((await app.ctx.users.get(id)).status, "pending");

      // Another client is not affected.
      const other = await redeemFrom(app, "127.0.0.2", { token });
      assert.equal(other.status, 200, JSON.stringify(other.body));
      assert.equal((await app.ctx.users.get(id)).status, "active");
    });

    it("counts the failures another instance saw: at most one more guess here, then 429 even for a valid link", async () => {
      const second = await startOn(app.database);
      try {
        const known = (await app.ctx.users.create(person(), cliActor())).id;
        const victim = (await app.ctx.users.create(person(), cliActor())).id;
        // A client this instance has just seen succeed, and so knows no failure of...
        const first = await redeemFrom(app, "127.0.0.3", { token: tokenOf((await app.ctx.invitations.current(known)).url) });
        assert.equal(first.status, 200, JSON.stringify(first.body));
        // ...guesses through the other instance until it is refused there.
        for (let i = 0; i < 20; i++) {
          assert.equal((await redeemFrom(second, "127.0.0.3", { token: `${"D".repeat(42)}${i % 10}` })).status, 404);
        }
        assert.equal((await redeemFrom(second, "127.0.0.3", { token: "E".repeat(43) })).status, 429);

        const next = await redeemFrom(app, "127.0.0.3", { token: "F".repeat(43) });
        assert.ok([404, 429].includes(next.status), String(next.status));
        assert.equal((await redeemFrom(app, "127.0.0.3", { token: "G".repeat(43) })).status, 429);
        const valid = await redeemFrom(app, "127.0.0.3", { token: tokenOf((await app.ctx.invitations.current(victim)).url) });
        assert.equal(valid.status, 429);
        assert.equal((await app.ctx.users.get(victim)).status, "pending");
      } finally {
        await second.stop();
      }
    });
  });
}
