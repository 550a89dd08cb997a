import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SCOPES, type Scope } from "../../server/core/auth/principals.js";
import { cliActor } from "../../server/core/events.js";
import { call } from "../support/api-client.js";
import { createApiKey, startTestApp, type TestApp } from "../support/app.js";
import { dialects } from "../support/databases.js";
import { personInput } from "../support/people.js";

/** `body` as a function: made anew for each call. */
type Route = { method: string; path: string; body?: unknown; needs: Scope[] | "public" };

const NONE = 999_999;

/**
 * Finding 5: every API route against keys of every single scope and the two pairs that
 * print and display. Only `invitations` yields a working code, so whatever puts a code on
 * paper or a screen (printing, a printer's address, kiosk enrolment, pairing, display)
 * needs it besides its own scope. Unknown ids are used where the route only has to pass the
 * key check (a 404 or 400 after it proves the key was accepted).
 */
function routes(ids: { printer: number; kiosk: number; user: number }, n: () => number): Route[] {
  const u = ids.user;
  return [
    { method: "POST", path: "/invitations/redeem", body: { token: "x".repeat(43) }, needs: "public" },
    { method: "POST", path: "/users", body: {}, needs: ["users"] },
    { method: "GET", path: "/users", needs: ["users"] },
    { method: "GET", path: `/users/${u}`, needs: ["users"] },
    { method: "PATCH", path: `/users/${NONE}`, body: {}, needs: ["users"] },
    { method: "DELETE", path: `/users/${NONE}`, needs: ["users"] },
    { method: "GET", path: `/users/${NONE}/export`, needs: ["users"] },
    { method: "POST", path: "/groups", body: {}, needs: ["groups"] },
    { method: "GET", path: "/groups", needs: ["groups"] },
    { method: "GET", path: `/groups/${NONE}`, needs: ["groups"] },
    { method: "PATCH", path: `/groups/${NONE}`, body: {}, needs: ["groups"] },
    { method: "DELETE", path: `/groups/${NONE}`, needs: ["groups"] },
    { method: "POST", path: `/groups/${NONE}/members`, body: {}, needs: ["groups"] },
    { method: "PUT", path: `/groups/${NONE}/members/${NONE}`, needs: ["groups"] },
    { method: "DELETE", path: `/groups/${NONE}/members/${NONE}`, needs: ["groups"] },
    { method: "GET", path: `/users/${NONE}/invitation`, needs: ["invitations"] },
    { method: "POST", path: `/users/${NONE}/invitation/regenerate`, needs: ["invitations"] },
    { method: "POST", path: `/users/${NONE}/invitation/revoke`, needs: ["invitations"] },
    { method: "POST", path: `/users/${NONE}/invitation/send`, body: { channel: "email" }, needs: ["invitations"] },
    { method: "GET", path: `/users/${NONE}/invitation.pdf`, needs: ["invitations"] },
    { method: "GET", path: `/groups/${NONE}/invitations.pdf`, needs: ["invitations"] },
    { method: "POST", path: "/registrations/phone", body: {}, needs: ["registrations"] },
    { method: "POST", path: "/kiosks", body: {}, needs: ["kiosks", "invitations"] },
    { method: "GET", path: "/kiosks", needs: ["kiosks"] },
    { method: "GET", path: `/kiosks/${ids.kiosk}`, needs: ["kiosks"] },
    { method: "PATCH", path: `/kiosks/${NONE}`, body: {}, needs: ["kiosks"] },
    { method: "DELETE", path: `/kiosks/${NONE}`, needs: ["kiosks"] },
    { method: "POST", path: `/kiosks/${NONE}/enroll-link`, needs: ["kiosks", "invitations"] },
    { method: "POST", path: `/kiosks/${NONE}/pair`, body: { code: "123456" }, needs: ["kiosks", "invitations"] },
    { method: "POST", path: `/kiosks/${NONE}/unpair`, needs: ["kiosks"] },
    { method: "POST", path: `/kiosks/${ids.kiosk}/display`, body: { userId: u }, needs: ["kiosks", "invitations"] },
    { method: "DELETE", path: `/kiosks/${NONE}/display/${NONE}`, needs: ["kiosks"] },
    { method: "POST", path: "/printers", body: {}, needs: ["printers", "invitations"] },
    { method: "GET", path: "/printers", needs: ["printers"] },
    { method: "GET", path: `/printers/${ids.printer}`, needs: ["printers"] },
    { method: "PATCH", path: `/printers/${ids.printer}`, body: { copies: 1 }, needs: ["printers"] },
    {
      method: "PATCH",
      path: `/printers/${ids.printer}`,
      body: () => ({ uri: `ipp://192.168.0.${n()}/ipp/print` }),
      needs: ["printers", "invitations"],
    },
    { method: "DELETE", path: `/printers/${NONE}`, needs: ["printers"] },
    { method: "GET", path: `/printers/${NONE}/status`, needs: ["printers"] },
    {
      method: "POST",
      path: "/print-jobs",
      body: { printerId: ids.printer, userIds: [u], when: "tonight" },
      needs: ["printers", "invitations"],
    },
    { method: "GET", path: "/print-jobs", needs: ["printers"] },
    { method: "GET", path: `/print-jobs/${NONE}`, needs: ["printers"] },
    { method: "POST", path: `/print-jobs/${NONE}/cancel`, needs: ["printers"] },
    { method: "POST", path: "/print-batches/run", needs: ["printers", "invitations"] },
  ];
}

for (const dialect of await dialects()) {
  describe(`API scopes mean what they say (${dialect})`, () => {
    let app: TestApp;
    const keys: Array<{ scopes: Scope[]; key: string }> = [];
    let ids: { printer: number; kiosk: number; user: number };

    before(async () => {
      app = await startTestApp(dialect);
      for (const scopes of [...SCOPES.map((s) => [s]), ["printers", "invitations"], ["kiosks", "invitations"]] as Scope[][]) {
        keys.push({ scopes, key: await createApiKey(app.ctx, scopes) });
      }
      const user = await app.ctx.users.create(personInput({ firstName: "Sara", lastName: "Scope" }), cliActor());
      const printer = await app.ctx.print.printers.create(
        { name: "LAN", driver: "ipp", uri: "ipp://192.168.0.250/ipp/print" },
        cliActor(),
      );
      const { kiosk } = await app.ctx.kiosks.create({ name: "Lobby" }, cliActor());
      ids = { printer: printer.id, kiosk: kiosk.id, user: user.id };
    });
    after(() => app.stop());

    it("answers each route for exactly the keys that hold all the scopes it needs", async () => {
      let octet = 0;
      const wrong: string[] = [];
      for (const route of routes(ids, () => ++octet)) {
        const anonymous = await call(app, route.method, route.path, { body: route.body, key: null });
        if (route.needs === "public") {
          assert.notEqual(anonymous.status, 401);
          continue;
        }
        if (anonymous.status !== 401) wrong.push(`${route.method} ${route.path} without a key: ${anonymous.status}`);
        for (const { scopes, key } of keys) {
          // A fresh address per call: the "moves the printer" case stays a move.
          const body = typeof route.body === "function" ? route.body() : route.body;
          const reply = await call(app, route.method, route.path, { body, key });
          const allowed = route.needs.every((s) => scopes.includes(s));
          const refused = reply.status === 403;
          if (allowed === refused || reply.status === 401) {
            wrong.push(`${route.method} ${route.path} with [${scopes}]: ${reply.status} ${reply.body?.detail ?? ""}`);
          }
          if (refused) assert.match(reply.body.detail, new RegExp(`lacks the scope "(${route.needs.join("|")})"`));
        }
      }
      assert.deepEqual(wrong, []);
    });

    it("shows a kiosk's enrolment link only to a key that may see codes", async () => {
      const kiosksOnly = keys.find((k) => k.scopes.length === 1 && k.scopes[0] === "kiosks")?.key;
      const both = keys.find((k) => k.scopes.join() === "kiosks,invitations")?.key;
      const limited = await call(app, "GET", `/kiosks/${ids.kiosk}`, { key: kiosksOnly });
      assert.equal(limited.status, 200);
      assert.equal("enrollUrl" in limited.body, false);
      const full = await call(app, "GET", `/kiosks/${ids.kiosk}`, { key: both });
      assert.match(full.body.enrollUrl, /^http/);
    });
  });
}
