import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { PAIRINGS_PER_ADDRESS } from "../../kiosk/kiosks.service.js";
import { cliActor } from "../../server/core/events.js";
import { call } from "../support/api-client.js";
import { ADMIN_PASSWORD, createStaff, type TestApp } from "../support/app.js";
import { PageClient } from "../support/browser-client.js";
import { send } from "../support/burst.js";
import { dialects } from "../support/databases.js";
import { waitFor } from "../support/notify-app.js";
import { assertNone, visible } from "../support/page-text.js";
import { spanishAdmin } from "../support/spanish-org.js";

// An organization in Spain whose mail server cannot be reached: deliveries fail.
const UNREACHABLE_SMTP = { SMTP_URL: "smtp://127.0.0.1:9" };

/** English the code used to build: none of it may reach a Spanish page. */
const ENGLISH = [
  /is required/,
  /has expired/,
  /admins only/,
  /Sign in again/,
  /Too many/,
  /command line/,
  /— system/,
  /must be at most/,
  /is not a valid/,
  /already exists/,
  /Person #\d+/,
  /person #\d+/,
  /Registered /,
  /Created group/,
  /Queued the invitation/,
  /could not be sent/,
  /Enter an https/,
  /webhooks must go to a public address/,
  /choose at least one scope/,
  /\bQueued\b|\bFailed\b|\bSent\b/,
  /\battempts?\b/,
  /Email: (connected|saved)/,
];

const assertSpanish = (text: string, where: string) => assertNone(ENGLISH, text, where);

for (const dialect of await dialects()) {
  describe(`the admin pages in Spanish, with errors, on ${dialect}`, () => {
    let app: TestApp;
    let admin: PageClient;
    let key: string;
    let personId: number;

    before(async () => {
      ({ app, admin, key } = await spanishAdmin(dialect, UNREACHABLE_SMTP));
    });
    after(async () => {
      await app?.stop();
    });

    it("says what is wrong with a person's form in Spanish", async () => {
      await admin.get("/users/new");
      const res = await admin.post("/users", { firstName: "", lastName: "M".repeat(101), email: "nico@", phone: "12" });
      assert.equal(res.status, 400);
      const text = visible(res.text);
      assert.match(text, /Este campo es obligatorio/);
      assert.match(text, /Puede tener como máximo 100 caracteres/);
      assert.match(text, /No es una dirección de correo electrónico válida/);
      assertSpanish(text, "person form");

      // A valid one, then the same email again: the duplicate is named in Spanish.
      const created = await admin.post("/users", { firstName: "Nicolás", lastName: "Muñoz", email: "nico@example.com" });
      assert.equal(created.status, 303, created.text.slice(0, 300));
      personId = Number(/\/users\/(\d+)/.exec(created.headers.get("location") ?? "")?.[1]);
      await admin.get("/users/new");
      const dup = await admin.post("/users", { firstName: "Otro", lastName: "Nicolás", email: "NICO@example.com" });
      assert.equal(dup.status, 409);
      assert.match(visible(dup.text), /Otra persona \(n\.º \d+\) ya tiene este correo electrónico/);
      assertSpanish(visible(dup.text), "duplicate person");
    });

    it("refuses a duplicate group name in Spanish", async () => {
      await admin.get("/groups");
      assert.equal((await admin.post("/groups", { name: "Almacén" })).status, 303);
      await admin.get("/groups");
      const res = await admin.post("/groups", { name: "almacén" });
      assert.equal(res.status, 409);
      assert.match(visible(res.text), /Ya existe un grupo con este nombre/);
      assertSpanish(visible(res.text), "groups");
    });

    it("refuses a bad webhook URL and an internal address in Spanish", async () => {
      await admin.get("/admin/webhooks");
      const bad = await admin.post("/admin/webhooks", { url: "ftp://example.com/hook", events: "user.joined" });
      assert.equal(bad.status, 400);
      assert.match(visible(bad.text), /Escribe una dirección que empiece por https:\/\/ o http:\/\//);
      assertSpanish(visible(bad.text), "webhook URL");
      await admin.get("/admin/webhooks");
      const internal = await admin.post("/admin/webhooks", { url: "http://127.0.0.1:9/hook", events: "user.joined" });
      assert.equal(internal.status, 400);
      assert.match(
        visible(internal.text),
        /Está en una dirección de bucle local \(127\.0\.0\.1\): los webhooks deben ir a una dirección pública/,
      );
      assertSpanish(visible(internal.text), "webhook address");
    });

    it("refuses a nameless API key and a taken account email in Spanish", async () => {
      await admin.get("/admin/api-keys");
      const res = await admin.post("/admin/api-keys", { name: "  ", scopes: "users" });
      assert.equal(res.status, 400);
      assert.match(visible(res.text), /Este campo es obligatorio/);
      assertSpanish(visible(res.text), "API keys");
      await admin.get("/admin/accounts");
      const taken = await admin.post("/admin/accounts", {
        email: "admin@example.com",
        name: "Otra",
        role: "frontdesk",
        password: "una contraseña larga",
      });
      assert.equal(taken.status, 400);
      assert.match(visible(taken.text), /Ya hay una cuenta con este correo electrónico/);
    });

    it("shows a failed delivery, its error and the channels in Spanish", async () => {
      await admin.get(`/users/${personId}`);
      const sent = await admin.post(`/users/${personId}/invitation/send`, { channel: "email" });
      assert.equal(sent.status, 303, sent.text.slice(0, 300));
      const page = await waitFor("the failed attempt on Deliveries", async () => {
        const res = await admin.get("/deliveries");
        return /Servidor de correo \(SMTP\)/.test(res.text) ? visible(res.text) : undefined;
      });
      assert.match(page, /1 intento/);
      assert.match(page, /En cola|Fallido/);
      assert.match(page, /Correo electrónico/);
      assertSpanish(page, "deliveries");
      const dashboard = visible((await admin.get("/dashboard")).text);
      assert.match(dashboard, /Correo electrónico: conectado/);
      assertSpanish(dashboard, "dashboard");
    });

    it("tells the audit log and the person's history in Spanish, by name", async () => {
      const audit = visible((await admin.get("/audit")).text);
      assert.match(audit, /Registró a Nicolás Muñoz/);
      assert.match(audit, /Creó el grupo n\.º \d+/);
      assert.match(audit, /Puso en cola la invitación de Nicolás Muñoz por correo electrónico/);
      assert.match(audit, /Inició sesión/);
      assertSpanish(audit, "audit");
      const profile = visible((await admin.get(`/users/${personId}`)).text);
      assert.match(profile, /Registró a Nicolás Muñoz/);
      assertSpanish(profile, "profile history");
    });

    it("shows an error page in Spanish", async () => {
      const res = await admin.get("/groups/999999");
      assert.equal(res.status, 404);
      assert.match(visible(res.text), /El grupo n\.º 999999 no existe/);
      assert.match(visible(res.text), /No encontrado/);
    });

    it("says in Spanish that a form expired, that a page is for admins and that a session ended", async () => {
      await admin.get("/users/new");
      const expired = await admin.post("/users", { firstName: "Ana", lastName: "Sin Token" }, false);
      assert.equal(expired.status, 403);
      assert.match(visible(expired.text), /Este formulario ha caducado/);

      await createStaff(app.ctx, "frontdesk");
      const desk = new PageClient(app.url);
      await desk.signIn("frontdesk@example.com", ADMIN_PASSWORD);
      const forbidden = await desk.get("/admin/webhooks");
      assert.equal(forbidden.status, 403);
      assert.match(visible(forbidden.text), /Esta página es solo para administradores/);

      const signedOut = new PageClient(app.url);
      await signedOut.get("/login");
      const ended = await signedOut.post("/users", { firstName: "Ana", lastName: "Sin Sesión" });
      assert.equal(ended.status, 401);
      assert.match(visible(ended.text), /Tu sesión ha terminado/);
      for (const res of [expired, forbidden, ended]) assertSpanish(visible(res.text), "an error page");
    });

    it("asks to wait after too many failed sign-ins, in Spanish", async () => {
      await createStaff(app.ctx, "admin", "locked@example.com");
      const client = new PageClient(app.url);
      await client.get("/login");
      for (let i = 0; i < 5; i++) {
        const res = await client.post("/login", { email: "locked@example.com", password: `mala contraseña ${i}` });
        assert.match(visible(res.text), /El correo electrónico o la contraseña no son correctos/);
      }
      const blocked = await client.post("/login", { email: "locked@example.com", password: ADMIN_PASSWORD });
      assert.equal(blocked.status, 429);
      assert.match(visible(blocked.text), /Demasiados intentos fallidos de inicio de sesión\. Espera \d+ minutos?/);
      assertSpanish(visible(blocked.text), "the sign-in page");
    });

    it("refuses too many new lobby screens from one address, in Spanish", async () => {
      const from = { localAddress: "127.0.0.31" };
      let screen = await send(`${app.url}/kiosk`, from);
      for (let i = 0; i < PAIRINGS_PER_ADDRESS && screen.status !== 429; i++) screen = await send(`${app.url}/kiosk`, from);
      assert.equal(screen.status, 429);
      assert.match(
        visible(screen.text),
        /Demasiadas pantallas nuevas desde esta dirección\. Vuelve a intentarlo dentro de \d+ minutos?\./,
      );
    });

    it("checks an import in Spanish: its columns, its problems and what importing will do", async () => {
      const lines = [
        "nombre,apellidos,correo,teléfono",
        "Ana,Pérez,ana@example.com,600123456",
        "Luis,Gil,no-es-correo,",
        "Eva,Ruiz,,",
      ];
      const uploaded = await app.ctx.imports.create(
        Readable.from([Buffer.from(`${lines.join("\n")}\n`)]),
        "empleados.csv",
        cliActor(),
      );
      await app.ctx.imports.check(uploaded.id, cliActor());
      const text = visible((await admin.get(`/import/${uploaded.id}`)).text);
      assert.match(text, /Subido por línea de comandos/);
      assert.match(text, /Las 2 filas válidas se importan juntas — todas o ninguna; la fila con problemas se queda fuera\./);
      assert.match(text, /nombre → Nombre/);
      assert.match(text, /correo → Correo electrónico/);
      assert.match(text, /Los números de teléfono sin prefijo \+ se leen como números de ES\./);
      assert.match(text, /3 Luis Gil correo \(correo electrónico\)/);
      assertNone([/\brows? (is|are)\b/, /First name/, /command line/, /whole row/], text, "the import page");

      const upload = visible((await admin.get("/import")).text);
      assert.match(upload, /Segundo apellido/);
      assert.match(upload, /opcional; varios separados por \| o por comas/);
      assertNone([/\boptional\b/, /\brequired\b/, /Second surname/], upload, "the upload page");

      await app.ctx.imports.apply(uploaded.id, cliActor(), undefined, { phones: "drop" });
      const list = visible((await admin.get("/users")).text);
      assert.match(list, /1–\d+ de \d+/);
      assertNone([/\d+ of \d+/], list, "the people list");
    });

    it("refuses an import file in Spanish, at the upload and after its check", async () => {
      await admin.get("/import");
      const binary = Buffer.from([0x6e, 0x6f, 0x6d, 0x62, 0x72, 0x65, 0x00, 0x0a]);
      const res = await admin.postFile(
        `/import?_csrf=${encodeURIComponent(admin.csrf)}`,
        "file",
        binary,
        "datos.csv",
        "text/csv",
      );
      assert.equal(res.status, 400);
      assert.match(visible(res.text), /El archivo contiene datos binarios; no es un archivo de texto CSV\./);

      const noNames = Buffer.from("correo,teléfono\nana@example.com,600123456\n");
      const header = await admin.postFile(
        `/import?_csrf=${encodeURIComponent(admin.csrf)}`,
        "file",
        noNames,
        "sin-nombres.csv",
        "text/csv",
      );
      assert.equal(header.status, 400);
      assert.match(
        visible(header.text),
        /No se han encontrado las columnas del nombre ni de los apellidos \(la línea de encabezado tiene "correo", "teléfono"\)\. Se esperaba/,
      );
      assertNone([/No first name/, /Expected a header/], visible(header.text), "a refused upload");

      // Refused by its check (an unclosed quote on line 3): the import keeps the refusal.
      const unclosed = Buffer.from('nombre,apellidos\nAna,Pérez\n"Luis,Gil\nEva,Ruiz\n');
      const uploaded = await app.ctx.imports.create(Readable.from([unclosed]), "comillas.csv", cliActor());
      const checked = await app.ctx.imports.check(uploaded.id, cliActor());
      assert.equal(checked.state, "refused", checked.error ?? "");
      assert.match(checked.error ?? "", /^The file is not valid CSV near line \d+: .*A double quote/);
      const page = visible((await admin.get(`/import/${uploaded.id}`)).text);
      assert.match(
        page,
        /El archivo no es un CSV válido cerca de la línea \d+: .*Unas comillas dobles \("\) abren un valor que nunca se cierra/,
      );
      assertNone([/The file is not valid CSV/, /A double quote/], page, "a refused import");
    });

    it("refuses a logo that is not an image, in Spanish", async () => {
      await admin.get("/admin/settings");
      const res = await admin.postFile(
        `/admin/settings/logo?_csrf=${encodeURIComponent(admin.csrf)}`,
        "logo",
        Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'/>"),
        "logo.png",
        "image/png",
      );
      assert.equal(res.status, 400);
      assert.match(visible(res.text), /El archivo no es una imagen PNG ni JPEG/);
    });

    it("keeps the JSON API in English", async () => {
      const res = await call(app, "POST", "/users", { key, body: { firstName: "", lastName: "X", email: "nope" } });
      assert.equal(res.status, 400);
      assert.equal(res.body.errors.firstName, "First name is required");
      assert.equal(res.body.errors.email, "is not a valid email address");
      const group = await call(app, "POST", "/groups", { key, body: { name: "ALMACÉN" } });
      assert.equal(group.status, 409);
      assert.match(group.body.detail, /^A group with this name already exists \(#\d+\)\.$/);
    });
  });
}
