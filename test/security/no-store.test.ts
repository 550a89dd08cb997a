import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cliActor } from "../../server/core/events.js";
import { call } from "../support/api-client.js";
import { ADMIN_PASSWORD, createApiKey, createStaff, startTestApp, type TestApp } from "../support/app.js";
import { PageClient } from "../support/browser-client.js";
import { dialects } from "../support/databases.js";
import { personInput } from "../support/people.js";

/** Finding 9: a page or answer with a personal link, code or enrolment link must not be kept by any cache. */
for (const dialect of await dialects()) {
  describe(`no cache keeps personal links or codes (${dialect})`, () => {
    let app: TestApp;
    let admin: PageClient;
    let key: string;
    let userId: number;

    before(async () => {
      app = await startTestApp(dialect);
      await createStaff(app.ctx, "admin");
      admin = new PageClient(app.url);
      await admin.signIn("admin@example.com", ADMIN_PASSWORD);
      key = await createApiKey(app.ctx);
      userId = (await app.ctx.users.create(personInput({ firstName: "Nora", lastName: "Nocache" }), cliActor())).id;
    });
    after(() => app.stop());

    it("marks the profile, QR, kiosk and join pages no-store", async () => {
      const { url, code } = await app.ctx.invitations.current(userId);
      const profile = await admin.get(`/users/${userId}`);
      assert.equal(profile.status, 200);
      assert.ok(profile.text.includes(code), "the profile shows the code");
      assert.equal(profile.headers.get("cache-control"), "no-store");
      for (const path of [`/users/${userId}/invitation/qr`, "/kiosks", "/users", "/admin/settings"]) {
        const page = await admin.get(path);
        assert.equal(page.headers.get("cache-control"), "no-store", path);
      }
      const join = await fetch(url);
      assert.equal(join.status, 200);
      assert.equal(join.headers.get("cache-control"), "no-store", "the join page");
    });

    it("marks every API answer with a link, code or enrolment link no-store", async () => {
      const answers = [
        await call(app, "GET", `/users/${userId}/invitation`, { key }),
        await call(app, "POST", `/users/${userId}/invitation/regenerate`, { key }),
        await call(app, "POST", "/kiosks", { key, body: { name: "Lobby" } }),
      ];
      const kioskId = answers[2]?.body.id;
      answers.push(await call(app, "GET", `/kiosks/${kioskId}`, { key }));
      answers.push(await call(app, "POST", `/kiosks/${kioskId}/enroll-link`, { key }));
      for (const a of answers) {
        assert.ok(a.status < 300, JSON.stringify(a.body));
        assert.ok(a.body.code || a.body.url || a.body.enrollUrl, "the answer carries a link or code");
        assert.equal(a.headers.get("cache-control"), "no-store");
      }
      const pdf = await fetch(`${app.url}/api/v1/users/${userId}/invitation.pdf`, {
        headers: { authorization: `Bearer ${key}` },
      });
      assert.equal(pdf.status, 200);
      assert.equal(pdf.headers.get("cache-control"), "no-store", "the letter PDF");
    });
  });
}
