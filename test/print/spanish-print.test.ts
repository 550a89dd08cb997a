import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { call } from "../support/api-client.js";
import { createApiKey, createStaff, type TestApp } from "../support/app.js";
import type { PageClient } from "../support/browser-client.js";
import { dialects } from "../support/databases.js";
import { assertNone, visible } from "../support/page-text.js";
import { spanishAdmin } from "../support/spanish-org.js";

// An organization in Spain: the admin pages speak Spanish, the JSON API English.
/** English the code used to build: none of it may reach these Spanish pages. */
const ENGLISH = [
  /is required/,
  /\bPrint job #/,
  /\bprinter #/,
  /printers may be on public/,
  /\bNever\b/,
  /\bFront desk\b/,
  /\bEnable\b|\bDisable\b/,
  /\bOnline\b|\bOffline\b|Not paired/,
  /Checked, not imported|Imported\b|Refused\b/,
  /is not a valid email address/,
  /same email address as line/,
  /must be yes or no/,
  /Any site|one-sided|Add printer/,
];

const assertSpanish = (text: string, where: string) => assertNone(ENGLISH, text, where);

for (const dialect of await dialects()) {
  describe(`the print, accounts, kiosks and import pages in Spanish, on ${dialect}`, () => {
    let app: TestApp;
    let admin: PageClient;
    let key: string;

    before(async () => {
      ({ app, admin, key } = await spanishAdmin(dialect));
    });
    after(async () => {
      await app?.stop();
    });

    it("refuses a printer on a loopback address in Spanish, and names the form's choices", async () => {
      const form = visible((await admin.get("/printers/new")).text);
      assert.match(form, /Añadir una impresora/);
      assert.match(form, /Doble cara \(borde largo\)/);
      assert.match(form, /Añadir impresora/);
      assertSpanish(form, "printer form");
      const res = await admin.post("/printers", {
        name: "Recepción",
        driver: "ipp",
        uri: "ipp://127.0.0.1:631/ipp/print",
        paper: "A4",
        sides: "one-sided",
        copies: "1",
      });
      assert.equal(res.status, 400);
      const text = visible(res.text);
      assert.match(text, /Está en una dirección de bucle local \(127\.0\.0\.1\): las impresoras pueden estar/);
      assertSpanish(text, "printer address");
      await admin.get("/printers/new");
      const empty = await admin.post("/printers", {
        name: "",
        driver: "ipp",
        uri: "",
        paper: "A4",
        sides: "one-sided",
        copies: "0",
      });
      assert.equal(empty.status, 400);
      const emptyText = visible(empty.text);
      assert.match(emptyText, /Escribe un nombre, por ejemplo Recepción/);
      assert.match(emptyText, /Debe ser un número entero del 1 al 99/);
      assertSpanish(emptyText, "printer form errors");
    });

    it("shows the print jobs page and a refused decision in Spanish", async () => {
      const page = visible((await admin.get("/print-jobs")).text);
      assert.match(page, /Trabajos de impresión/);
      assert.match(page, /0 personas esperan el lote nocturno/);
      assertSpanish(page, "print jobs");
      await admin.get("/print-jobs");
      const res = await admin.post("/print-jobs/1/decision", { decision: "maybe" });
      assert.equal(res.status, 400);
      const text = visible(res.text);
      assert.match(text, /Elige una opción: «Imprimir de nuevo» o «Marcar como impreso»/);
      assertSpanish(text, "decision");
      await admin.get("/print-jobs");
      const nobody = await admin.post("/print", { when: "now" });
      assert.equal(nobody.status, 400);
      assert.match(visible(nobody.text), /Elige al menos una persona para imprimir su invitación/);
    });

    it("keeps the print API in English", async () => {
      const res = await call(app, "POST", "/print-jobs/1/decision", { key, body: { decision: "maybe" } });
      assert.equal(res.status, 400);
      assert.equal(res.body.errors.decision, "is required: 'reprint' (print it again) or 'printed' (mark as printed)");
      const printer = await call(app, "POST", "/printers", {
        key,
        body: { name: "Lo", driver: "ipp", uri: "ipp://127.0.0.1:631/ipp/print" },
      });
      assert.equal(printer.status, 400);
      assert.match(String(printer.body.errors.uri), /^is on a loopback address \(127\.0\.0\.1\)/);
    });

    it("names roles, actions and never-used keys in Spanish", async () => {
      await createStaff(app.ctx, "frontdesk");
      const accounts = visible((await admin.get("/admin/accounts")).text);
      assert.match(accounts, /Frank Desk frontdesk@example\.com Recepción/);
      assert.match(accounts, /Desactivar/);
      assertSpanish(accounts, "accounts");
      await createApiKey(app.ctx);
      const keys = visible((await admin.get("/admin/api-keys")).text);
      assert.match(keys, /Nunca/);
      assertSpanish(keys, "API keys");
    });

    it("shows a kiosk that was never paired in Spanish", async () => {
      const created = await call(app, "POST", "/kiosks", { key, body: { name: "Vestíbulo", site: "Madrid", language: "es" } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const list = visible((await admin.get("/kiosks")).text);
      assert.match(list, /Vestíbulo/);
      assert.match(list, /Sin emparejar/);
      assert.match(list, /Nunca/);
      assertSpanish(list, "kiosks");
    });

    it("lists an import's problems and its state in Spanish", async () => {
      await admin.get("/import");
      const content = Buffer.from(
        [
          "nombre;apellidos;correo;consentimiento",
          "Lucía;García;lucia@example.com;sí",
          "Pablo;Ruiz;no-es-correo;no",
          "Marta;Gil;lucia@example.com;quizá",
        ].join("\n"),
      );
      const posted = await admin.postFile(
        `/import?_csrf=${encodeURIComponent(admin.csrf)}`,
        "file",
        content,
        "plantilla.csv",
        "text/csv",
      );
      assert.equal(posted.status, 303, posted.text.slice(0, 300));
      const location = posted.headers.get("location") ?? "";
      const id = Number(/^\/import\/(\d+)$/.exec(location)?.[1]);
      await app.ctx.imports.settled(id);
      const page = visible((await admin.get(location)).text);
      assert.match(page, /Importación n\.º \d+|Comprobado, sin importar/);
      assert.match(page, /Comprobado, sin importar/);
      assert.match(page, /No es una dirección de correo electrónico válida/);
      assert.match(page, /Mismo correo electrónico que la línea 2/);
      assert.match(page, /Debe ser sí o no/);
      assertSpanish(page, "import");
    });
  });
}
