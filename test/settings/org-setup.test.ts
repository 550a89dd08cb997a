import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cliActor } from "../../server/core/events.js";
import { assertProblem, call } from "../support/api-client.js";
import { ADMIN_PASSWORD, createApiKey, createStaff, startTestApp, type TestApp } from "../support/app.js";
import { PageClient } from "../support/browser-client.js";
import { dialects } from "../support/databases.js";
import { personInput } from "../support/people.js";

// A fresh install without ORGANIZATION_NAME / APP_NAME: the set-up is still to do.
const UNSET = { ORGANIZATION_NAME: "", APP_NAME: "", DEFAULT_LANGUAGE: "", DEFAULT_COUNTRY: "ES" };

for (const dialect of await dialects()) {
  describe(`organization set-up on ${dialect}`, () => {
    let app: TestApp;
    let key: string;
    let admin: PageClient;
    let personId: number;
    let kioskId: number;

    before(async () => {
      app = await startTestApp(dialect, UNSET);
      await createStaff(app.ctx, "admin");
      key = await createApiKey(app.ctx);
      const person = await app.ctx.users.create(
        personInput({ firstName: "Nicolás", lastName: "Ruiz", email: "nico@example.com", language: "es" }),
        cliActor(),
      );
      personId = person.id;
      kioskId = (await app.ctx.kiosks.create({ name: "Lobby" }, cliActor())).kiosk.id;
      admin = new PageClient(app.url);
    });
    after(() => app.stop());

    it("starts incomplete, in the language of DEFAULT_COUNTRY", async () => {
      assert.deepEqual(await app.ctx.settings.missingSetup(), ["organizationName", "appName"]);
      assert.equal((await app.ctx.settings.get()).defaultLanguage, "es");
    });

    it("refuses to send, print or display through the API with a 409 naming what is missing", async () => {
      const attempts = [
        call(app, "POST", `/users/${personId}/invitation/send`, { key, body: { channel: "email" } }),
        call(app, "POST", "/print-jobs", { key, body: { printerId: 1, userIds: [personId], when: "now" } }),
        call(app, "POST", "/print-jobs", { key, body: { printerId: 1, userIds: [personId], when: "tonight" } }),
        call(app, "POST", `/kiosks/${kioskId}/display`, { key, body: { userId: personId } }),
      ];
      for (const reply of await Promise.all(attempts)) {
        assertProblem(reply, 409);
        assert.equal(reply.body.title, "Organization set-up incomplete");
        assert.deepEqual(reply.body.missing, ["organizationName", "appName"]);
        assert.match(reply.body.detail, /the organization name and the app name are not set/);
      }
      const pdf = await fetch(`${app.url}/api/v1/users/${personId}/invitation.pdf`, {
        headers: { authorization: `Bearer ${key}` },
      });
      assert.equal(pdf.status, 409);
      assert.deepEqual((await pdf.json()).missing, ["organizationName", "appName"]);
      const deliveries = await app.ctx.db("outbox").count({ n: "*" }).first();
      assert.equal(Number(deliveries?.n), 0, "nothing was queued");
    });

    it("refuses bulk invitations and the print batch in the services too", async () => {
      await assert.rejects(app.ctx.notify.bulk.start({ all: true }, cliActor()), /organization set-up/i);
      await assert.rejects(app.ctx.print.batch.run("cli", cliActor()), /organization set-up/i);
    });

    it("takes an admin to the set-up on first sign-in, and the dashboard says why", async () => {
      await admin.get("/login");
      const signIn = await admin.post("/login", { email: "admin@example.com", password: ADMIN_PASSWORD });
      assert.equal(signIn.status, 303);
      assert.equal(signIn.headers.get("location"), "/admin/setup");
      const page = await admin.get("/admin/setup");
      assert.equal(page.status, 200);
      // The organization's language (Spain) until the admin picks one.
      assert.match(page.text, /<html lang="es">/);
      assert.match(page.text, /Configuración de la organización/);
      assert.match(page.text, /<option value="ES" selected>España<\/option>/);
      const dashboard = await admin.get("/dashboard");
      assert.match(dashboard.text, /Termina la configuración de la organización/);
      assert.match(dashboard.text, /el nombre de la organización y el nombre de la app/);
    });

    it("says on a page why a send was refused", async () => {
      await admin.get(`/users/${personId}`);
      const res = await admin.post(`/users/${personId}/invitation/send`, { channel: "email" });
      assert.equal(res.status, 409);
      assert.match(res.text, /Termina la configuración de la organización/);
    });

    it("names the fields a set-up form lacks and keeps what was typed", async () => {
      await admin.get("/admin/setup");
      const res = await admin.post("/admin/setup", {
        organizationName: "Logística Peñalara",
        appName: "",
        appStoreUrl: "http://not-https.example",
        defaultCountry: "ES",
        defaultLanguage: "",
      });
      assert.equal(res.status, 400);
      assert.match(res.text, /Escribe el nombre de la app/);
      assert.match(res.text, /Escribe una dirección https:\/\//);
      assert.match(res.text, /value="Logística Peñalara"/);
      assert.deepEqual(await app.ctx.settings.missingSetup(), ["organizationName", "appName"]);
    });

    it("once saved, sending, printing and displaying are allowed", async () => {
      await admin.get("/admin/setup");
      const res = await admin.post("/admin/setup", {
        organizationName: "Logística Peñalara",
        appName: "Charla",
        appStoreUrl: "https://apps.apple.com/app/charla/id1",
        playStoreUrl: "",
        defaultCountry: "MX",
        defaultLanguage: "",
        frontDeskContact: "Recepción, planta baja",
      });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), "/dashboard?done=setup-saved");
      const s = await app.ctx.settings.get();
      assert.equal(s.organizationName, "Logística Peñalara");
      assert.equal(s.defaultCountry, "MX");
      assert.equal(s.defaultLanguage, "es", "the country's language");
      assert.deepEqual(await app.ctx.settings.missingSetup(), []);
      const dashboard = await admin.get("/dashboard?done=setup-saved");
      assert.doesNotMatch(dashboard.text, /Termina la configuración/);
      const send = await call(app, "POST", `/users/${personId}/invitation/send`, { key, body: { channel: "email" } });
      assert.equal(send.status, 202, JSON.stringify(send.body));
      const display = await call(app, "POST", `/kiosks/${kioskId}/display`, { key, body: { userId: personId } });
      assert.ok(display.status < 300, JSON.stringify(display.body));
    });
  });
}
