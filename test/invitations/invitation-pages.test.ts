import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cliActor } from "../../server/core/events.js";
import { InvitationGoneError } from "../../server/invitations/invitations.service.js";
import { ADMIN_PASSWORD, createStaff, startTestApp, type TestApp } from "../support/app.js";
import { PageClient } from "../support/browser-client.js";
import { dialects } from "../support/databases.js";

const person = {
  firstName: "Lucía",
  lastName: "García",
  email: "lucia@example.com",
  phone: null,
  phoneConsent: false,
  employeeId: null,
  department: null,
  site: null,
  language: "es" as const,
};

for (const dialect of await dialects()) {
  describe(`invitation on the profile page on ${dialect}`, () => {
    let app: TestApp;
    let desk: PageClient;
    let userId: number;

    before(async () => {
      app = await startTestApp(dialect);
      await createStaff(app.ctx, "frontdesk");
      userId = (await app.ctx.users.create(person, cliActor())).id;
      desk = new PageClient(app.url);
      await desk.signIn("frontdesk@example.com", ADMIN_PASSWORD);
    });
    after(() => app.stop());

    it("shows the personal link with a copy button, the typed code and a QR code", async () => {
      const invitation = await app.ctx.invitations.current(userId);
      const profile = await desk.get(`/users/${userId}`);
      assert.match(profile.text, new RegExp(`value="${invitation.url}"`));
      assert.match(profile.text, /data-copy="#invitation-link">Copy invitation link/);
      assert.match(profile.text, new RegExp(invitation.code));
      const qr = await desk.get(`/users/${userId}/invitation/qr`);
      assert.equal(qr.status, 200);
      assert.equal(qr.headers.get("cache-control"), "no-store");
      // The page's code rotates like a kiosk's: its script fetches the current one each window.
      assert.match(qr.text, new RegExp(`data-rotating-qr="/users/${userId}/invitation/rotating.json"`));
      assert.ok(!qr.text.includes(invitation.token), "the page never carries the personal link");
      const rotating = await desk.get(`/users/${userId}/invitation/rotating.json`);
      const code = JSON.parse(rotating.text);
      assert.match(code.url, new RegExp(`^${app.url}/i/k[0-9a-z]+\\.[0-9a-z]+\\.[0-9a-z]+\\.[\\w-]{22}$`));
      assert.ok(code.rotatesAt > code.serverNow);
    });

    it("regenerates: the old link stops at once and the profile shows the new one", async () => {
      const before = await app.ctx.invitations.current(userId);
      await desk.get(`/users/${userId}`);
      const res = await desk.post(`/users/${userId}/invitation/regenerate`, {});
      assert.equal(res.status, 303);
      const after = await app.ctx.invitations.current(userId);
      assert.notEqual(after.url, before.url);
      assert.notEqual(after.code, before.code);
      await assert.rejects(app.ctx.invitations.inspect(before.token, "203.0.113.1"), InvitationGoneError);
      assert.match((await desk.get(`/users/${userId}`)).text, new RegExp(`value="${after.url}"`));
    });

    it("revokes: the link stops and the profile offers a new one", async () => {
      const current = await app.ctx.invitations.current(userId);
      await desk.get(`/users/${userId}`);
      assert.equal((await desk.post(`/users/${userId}/invitation/revoke`, {})).status, 303);
      await assert.rejects(app.ctx.invitations.inspect(current.token, "203.0.113.2"), InvitationGoneError);
      const profile = await desk.get(`/users/${userId}`);
      assert.match(profile.text, /Link revoked/);
      assert.match(profile.text, /Make a new invitation link/);
      assert.doesNotMatch(profile.text, new RegExp(current.url));
      const history = await app.ctx.audit.forTarget("user", userId);
      assert.ok(history.some((h) => h.action === "invitation.revoked"));
      assert.ok(
        history.every((h) => !h.summary.includes(current.token)),
        "no token in the audit log",
      );
    });

    it("refuses the actions without a session or CSRF token", async () => {
      const anon = new PageClient(app.url);
      await anon.get("/login");
      assert.equal((await anon.post(`/users/${userId}/invitation/regenerate`, {})).status, 401);
      await desk.get(`/users/${userId}`);
      assert.equal((await desk.post(`/users/${userId}/invitation/regenerate`, {}, false)).status, 403);
    });
  });
}
