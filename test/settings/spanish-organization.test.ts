import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { screenStrings } from "../../kiosk/kiosk.i18n.js";
import { cliActor } from "../../server/core/events.js";
import { call } from "../support/api-client.js";
import { ADMIN_PASSWORD, createApiKey, createStaff, startTestApp, type TestApp } from "../support/app.js";
import { PageClient } from "../support/browser-client.js";
import { dialects } from "../support/databases.js";
import { waitFor } from "../support/notify-app.js";
import { pdfPagesText, popplerOrSkip } from "../support/pdf-tools.js";
import { SmtpCapture } from "../support/smtp-capture.js";
import { SPAIN } from "../support/spanish-org.js";

const hasPoppler = await popplerOrSkip();

for (const dialect of await dialects()) {
  describe(`an organization in Spain on ${dialect}`, () => {
    let app: TestApp;
    let smtp: SmtpCapture;
    let key: string;
    let personId: number;

    before(async () => {
      smtp = await SmtpCapture.start();
      app = await startTestApp(dialect, { ...SPAIN, SMTP_URL: smtp.url });
      await createStaff(app.ctx, "admin");
      key = await createApiKey(app.ctx);
      // Registered through the API without a language: the organization's.
      const created = await call(app, "POST", "/users", {
        key,
        body: { firstName: "Nicolás", lastName: "Muñoz", email: "nico@example.com" },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.language, "es");
      personId = created.body.id;
    });
    after(async () => {
      await app?.stop();
      await smtp?.close();
    });

    it("shows the first-run page in Spanish, and its expired link", async () => {
      const fresh = await startTestApp(dialect, SPAIN);
      try {
        const token = await fresh.ctx.admins.issueSetupToken();
        assert.ok(token, "no admin yet: a setup link is issued");
        const page = await fetch(`${fresh.url}/setup/${token}`);
        assert.equal(page.status, 200);
        const text = await page.text();
        assert.match(text, /Crea el primer administrador/);
        assert.match(text, /Al menos 12 caracteres/);
        const used = await fetch(`${fresh.url}/setup/not-a-real-token`);
        assert.equal(used.status, 410);
        assert.match(await used.text(), /Este enlace de configuración ha caducado o ya se ha usado/);
      } finally {
        await fresh.stop();
      }
    });

    it("emails the invitation in Spanish with the real names", async () => {
      const sent = await call(app, "POST", `/users/${personId}/invitation/send`, { key, body: { channel: "email" } });
      assert.equal(sent.status, 202, JSON.stringify(sent.body));
      const [mail] = await waitFor("the email", async () =>
        smtp.to("nico@example.com").length ? smtp.to("nico@example.com") : undefined,
      );
      const parsed = mail?.parsed;
      assert.equal(parsed?.subject, "Tu invitación para unirte a Logística Peñalara en Charla");
      assert.match(parsed?.text ?? "", /Logística Peñalara te invita a unirte a Charla/);
      assert.doesNotMatch(String(parsed?.html), /Our organization|the app/);
    });

    it("shows the join page in Spanish with the real names", async () => {
      const { url } = await app.ctx.invitations.current(personId);
      const res = await fetch(url, { headers: { "accept-language": "en-GB,en;q=0.9" } });
      const html = await res.text();
      assert.match(html, /<html lang="es">/);
      assert.match(html, /Hola Nicolás/);
      assert.match(html, /Te invitamos a unirte a Logística Peñalara\./);
      assert.match(html, /Logística Peñalara usa Charla para mantener a todos informados\./);
    });

    it("prints the letter in Spanish with the real names", { skip: !hasPoppler && "poppler-utils not installed" }, async () => {
      const pdf = await app.ctx.letters.render({ userIds: [personId], paper: "A4" });
      const text = (await pdfPagesText(pdf)).join("\n").replace(/\s+/g, " ");
      assert.match(text, /Te damos la bienvenida, Nicolás Muñoz/);
      assert.match(text, /Logística Peñalara usa Charla/);
      assert.match(text, /Válido hasta el \d{1,2} de [a-z]+ de \d{4}/);
    });

    it("makes new kiosks Spanish, tiles included", async () => {
      const { kiosk } = await app.ctx.kiosks.create({ name: "Vestíbulo" }, cliActor());
      assert.equal(kiosk.language, "es");
      const s = screenStrings(kiosk.language);
      assert.equal(s.scan, "Escanea con {app}");
      assert.equal(s.welcome, "¡Te damos la bienvenida, {name}!");
      assert.equal(s.waiting.one, "{n} persona más a continuación");
      assert.equal(s.waiting.other, "{n} personas más a continuación");
    });

    it("shows the admin pages in Spanish, and in English once the admin chooses it", async () => {
      const admin = new PageClient(app.url);
      await admin.signIn("admin@example.com", ADMIN_PASSWORD);
      const people = await admin.get("/users");
      assert.match(people.text, /<html lang="es">/);
      assert.match(people.text, />Personas</);
      assert.match(people.text, />Cerrar sesión</);
      const dashboard = await admin.get("/dashboard");
      assert.match(dashboard.text, /Cómo van las invitaciones/);
      const changed = await admin.post("/account/language", { language: "en", next: "/dashboard" });
      assert.equal(changed.status, 303);
      assert.equal(changed.headers.get("location"), "/dashboard");
      const english = await admin.get("/dashboard");
      assert.match(english.text, /<html lang="en">/);
      assert.match(english.text, /Where invitations stand/);
      const refused = await admin.post("/account/language", { language: "xx", next: "/dashboard" });
      assert.equal(refused.status, 400);
      // The organization's language changes in Settings; the admin's own choice stays English.
      await admin.get("/admin/settings");
      const form = await admin.get("/admin/settings");
      assert.match(form.text, /<option value="es" lang="es" selected>Español<\/option>/);
    });
  });
}
