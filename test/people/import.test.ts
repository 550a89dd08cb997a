import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { PayloadTooLargeError, ValidationError } from "../../server/core/errors.js";
import { cliActor } from "../../server/core/events.js";
import type { ImportView } from "../../server/people/index.js";
import type { Station } from "../../server/station.js";
import { ADMIN_PASSWORD, createStaff, startTestApp, type TestApp } from "../support/app.js";
import { PageClient } from "../support/browser-client.js";
import { dialects } from "../support/databases.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const actor = cliActor("import test");
const BOM = "\uFEFF";

/** A CSV file's bytes: lines joined by `eol`, UTF-8, optionally with a BOM. */
const csv = (lines: string[], opts: { bom?: boolean; eol?: string } = {}) =>
  Buffer.from(`${opts.bom ? BOM : ""}${lines.join(opts.eol ?? "\n")}${opts.eol ?? "\n"}`, "utf8");

async function upload(ctx: Station, content: Buffer, name = "people.csv"): Promise<ImportView> {
  return ctx.imports.create(Readable.from([content]), name, actor);
}

async function check(ctx: Station, content: Buffer, name = "people.csv"): Promise<ImportView> {
  const imp = await upload(ctx, content, name);
  return ctx.imports.check(imp.id, actor);
}

const count = async (ctx: Station, table: string, where: Record<string, unknown> = {}) =>
  Number((await ctx.db(table).where(where).count({ n: "*" }).first())?.n ?? 0);

const emailsOfImport = async (ctx: Station, importId: number) =>
  (await ctx.db("users").where({ import_id: importId }).orderBy("import_row").select("email")).map(
    (r: { email: string }) => r.email,
  );

const uploadsDir = (app: TestApp) => path.join(app.database.dataDir, "uploads");
const uploadedFiles = (app: TestApp) => (existsSync(uploadsDir(app)) ? readdirSync(uploadsDir(app)) : []);

/** Runs the command line as an operator would, against the test's database. */
function runCli(app: TestApp, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...app.database.env, LOG_LEVEL: "warn" };
  if (!app.database.env.DATABASE_URL) delete env.DATABASE_URL;
  delete env.NODE_TEST_CONTEXT;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "server/cli/main.ts", ...args], { cwd: ROOT, env });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The import form's upload (CSRF token in the action URL, as the page puts it). */
const postFile = (client: PageClient, action: string, content: Buffer, filename: string) =>
  client.postFile(action, "file", content, filename, "text/csv");

for (const dialect of await dialects()) {
  describe(`CSV import on ${dialect}`, () => {
    let app: TestApp;
    let files: string;

    before(async () => {
      app = await startTestApp(dialect, { DEFAULT_COUNTRY: "ES" });
      files = mkdtempSync(path.join(tmpdir(), "invst-import-"));
    });
    after(async () => {
      rmSync(files, { recursive: true, force: true });
      await app.stop();
    });

    describe("reading files", () => {
      it("reads a comma file with a BOM and English headers, then imports it", async () => {
        const imp = await check(
          app.ctx,
          csv(
            [
              "First name,Last name,Email,Phone,Phone consent,Employee ID,Department,Site,Language",
              'Ada,Lovelace,ada@example.com,612 345 601,yes,E-1,Research,"London, UK",en',
              "Grace,Hopper,GRACE@example.com,,,E-2,Navy,Arlington,EN",
            ],
            { bom: true, eol: "\r\n" },
          ),
        );
        assert.equal(imp.state, "checked", imp.error ?? "");
        assert.equal(imp.report?.delimiter, ",");
        assert.deepEqual([imp.totalRows, imp.validRows, imp.invalidRows], [2, 2, 0]);
        assert.equal(imp.report?.columns[0]?.header, "First name", "the BOM is not part of the first header");
        assert.equal(imp.canApply, true);

        const done = await app.ctx.imports.apply(imp.id, actor);
        assert.equal(done.state, "imported", done.error ?? "");
        assert.equal(done.importedRows, 2);
        const ada = await app.ctx.db("users").where({ import_id: imp.id, import_row: 2 }).first();
        assert.equal(ada.first_name, "Ada");
        assert.equal(ada.phone, "+34612345601");
        assert.equal(Number(ada.phone_consent), 1);
        assert.ok(Number(ada.phone_consent_at) > 0);
        assert.match(ada.phone_consent_by, /import test \(import #\d+\)/);
        assert.equal(ada.site, "London, UK");
        assert.equal(ada.status, "pending");
        const grace = await app.ctx.db("users").where({ import_id: imp.id, import_row: 3 }).first();
        assert.equal(grace.email_normalized, "grace@example.com");
        assert.equal(grace.language, "en");
        // Imported people are found by the users list's search like any other.
        const found = await app.ctx.users.list({ q: "lovelace", sort: "name", dir: "asc", page: 1, pageSize: 10 });
        assert.equal(found.total, 1);
      });

      it("reads a semicolon file with Spanish headers and accents, creating groups and memberships", async () => {
        await app.ctx.groups.create("Madrid", actor);
        const imp = await check(
          app.ctx,
          csv(
            [
              "Nombre;Apellidos;Correo electrónico;Teléfono;Consentimiento;Número de empleado;Departamento;Sede;Idioma;Grupos",
              "José;García Núñez;jose@ejemplo.es;+34 612 345 602;Sí;ES-1;Logística;Madrid;Español;Almacén|madrid",
              "Íñigo;Ibáñez;inigo@ejemplo.es;;;ES-2;Ventas;Bilbao;es;Ventas, Almacén",
              "Begoña;Muñoz;begona@ejemplo.es;;;ES-3;Ventas;Bilbao;;",
            ],
            { bom: true },
          ),
        );
        assert.equal(imp.state, "checked", imp.error ?? "");
        assert.equal(imp.report?.delimiter, ";");
        assert.deepEqual(
          imp.report?.columns.map((c) => c.field),
          ["firstName", "lastName", "email", "phone", "phoneConsent", "employeeId", "department", "site", "language", "groups"],
        );
        assert.equal(imp.validRows, 3, JSON.stringify(imp.report?.errors));
        assert.deepEqual(imp.report?.groupsToCreate, ["Almacén", "Ventas"], "Madrid exists already (in another case)");
        assert.equal(imp.report?.memberships, 4);

        const done = await app.ctx.imports.apply(imp.id, actor);
        assert.equal(done.state, "imported", done.error ?? "");
        assert.equal(done.report?.createdGroups, 2);
        const jose = await app.ctx.users.get(
          Number((await app.ctx.db("users").where({ email_normalized: "jose@ejemplo.es" }).first()).id),
        );
        assert.equal(jose.lastName, "García Núñez");
        assert.equal(jose.department, "Logística");
        assert.equal(jose.language, "es");
        assert.equal(jose.phone, "+34612345602");
        assert.deepEqual(jose.groups.map((g) => g.name).sort(), ["Almacén", "Madrid"]);
        const groups = await app.ctx.groups.list();
        const almacen = groups.find((g) => g.name === "Almacén");
        assert.equal(almacen?.memberCount, 2);
        assert.equal(almacen?.pendingCount, 2);
        assert.equal(groups.find((g) => g.name === "Madrid")?.memberCount, 1);
      });

      it("joins a second surname column and maps headers written in other ways", async () => {
        const imp = await check(
          app.ctx,
          csv([
            "NOMBRE;Primer apellido;Segundo apellido;E-mail;Nº empleado;Centro de trabajo",
            "Ana;Ruiz;Soto;ana.rs@ejemplo.es;X-9;Sevilla",
          ]),
        );
        assert.equal(imp.validRows, 1, JSON.stringify(imp.report));
        assert.deepEqual(
          imp.report?.columns.map((c) => c.field),
          ["firstName", "lastName", "lastName2", "email", "employeeId", "site"],
        );
        const done = await app.ctx.imports.apply(imp.id, actor);
        const row = await app.ctx.db("users").where({ import_id: done.id }).first();
        assert.equal(row.last_name, "Ruiz Soto");
      });

      it("lists unknown columns as ignored and numbers lines as a spreadsheet does (blank rows count)", async () => {
        const imp = await check(
          app.ctx,
          csv([
            "first name,last name,email,favourite colour",
            "Lin,Wu,lin@example.com,blue",
            "",
            ",,,",
            "Bad,Row,not-an-email,red",
          ]),
        );
        assert.deepEqual(
          imp.report?.columns.filter((c) => !c.field).map((c) => c.header),
          ["favourite colour"],
        );
        assert.deepEqual([imp.totalRows, imp.validRows, imp.invalidRows], [2, 1, 1]);
        assert.deepEqual(imp.report?.errors, [
          // The English as the CLI says it, with its locale key for the pages.
          { line: 5, field: "email", message: "is not a valid email address", name: "Bad Row", key: "validation:email" },
        ]);
      });

      it("refuses a header line without name columns, naming the columns it expected, and keeps nothing", async () => {
        const before = uploadedFiles(app).length;
        await assert.rejects(
          upload(app.ctx, csv(["Juan,Pérez,juan@example.com", "Ana,Ruiz,ana@example.com"])),
          (err: unknown) => {
            assert.ok(err instanceof ValidationError);
            assert.match(err.fields.file ?? "", /No first name or last name columns found/);
            assert.match(err.fields.file ?? "", /"first name"\/"nombre"/);
            assert.match(err.fields.file ?? "", /"last name"\/"apellidos"/);
            return true;
          },
        );
        assert.equal(uploadedFiles(app).length, before);
      });

      it("refuses a file that is not UTF-8 or is a workbook, saying how to save it", async () => {
        const latin1 = Buffer.from("nombre;apellidos\nJosé;Núñez\n", "latin1");
        await assert.rejects(upload(app.ctx, latin1), (err: unknown) => {
          assert.ok(err instanceof ValidationError);
          assert.match(err.fields.file ?? "", /not UTF-8.*CSV UTF-8/s);
          return true;
        });
        const xlsx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from("rest of a zip")]);
        await assert.rejects(upload(app.ctx, xlsx, "people.xlsx"), /refused/);
        await assert.rejects(upload(app.ctx, Buffer.alloc(0)), /refused/);
      });

      it("refuses a file over 10 MB with nothing kept or imported", async () => {
        const users = await count(app.ctx, "users");
        const imports = await count(app.ctx, "imports");
        const filesBefore = uploadedFiles(app).length;
        const line = "Someone,Else,someone@example.com\n";
        const big = Buffer.from(`first name,last name,email\n${line.repeat(Math.ceil((10 * 1024 * 1024) / line.length) + 10)}`);
        assert.ok(big.length > 10 * 1024 * 1024);
        await assert.rejects(upload(app.ctx, big), (err: unknown) => {
          assert.ok(err instanceof PayloadTooLargeError);
          assert.match((err as Error).message, /larger than 10 MB/);
          return true;
        });
        assert.equal(await count(app.ctx, "users"), users);
        assert.equal(await count(app.ctx, "imports"), imports);
        assert.equal(uploadedFiles(app).length, filesBefore);
        const audit = await app.ctx.db("audit_log").where({ action: "import.refused" }).orderBy("id", "desc").first();
        assert.equal(audit.summary, "Refused an import file: larger than 10 MB");
      });

      it("accepts 50,000 rows and refuses 50,001, importing nothing", async () => {
        const rows = (n: number) => Buffer.from(`nombre;apellidos\n${"A;B\n".repeat(n)}`);
        const ok = await check(app.ctx, rows(50_000));
        assert.equal(ok.state, "checked", ok.error ?? "");
        assert.equal(ok.validRows, 50_000);

        const users = await count(app.ctx, "users");
        const imp = await check(app.ctx, rows(50_001));
        assert.equal(imp.state, "refused");
        assert.match(imp.error ?? "", /more than 50,000 people/);
        assert.equal(imp.canApply, false);
        await assert.rejects(app.ctx.imports.apply(imp.id, actor), /refused/);
        assert.equal(await count(app.ctx, "users"), users);
        const stored = (await app.ctx.db("imports").where({ id: imp.id }).first()).file_path as string;
        assert.ok(!uploadedFiles(app).some((f) => f.startsWith(stored)), "the refused file is removed");
      });
    });

    describe("namesakes across the import's chunks", () => {
      it("imports every one of 2,500 people of the same name, though the apply checks one chunk while it inserts the one before", async () => {
        const before = await count(app.ctx, "users");
        const imp = await check(app.ctx, Buffer.from(`nombre;apellidos\n${"Ana;Namesake\n".repeat(2_500)}`));
        assert.equal(imp.validRows, 2_500, imp.error ?? "");
        const done = await app.ctx.imports.apply(imp.id, actor);
        assert.equal(done.state, "imported", done.error ?? "");
        assert.equal(await count(app.ctx, "users", { import_id: imp.id }), 2_500);
        assert.equal(await count(app.ctx, "users"), before + 2_500);
      });
    });

    describe("dry run and import", () => {
      let existingId: number;
      before(async () => {
        const existing = await app.ctx.users.create(
          {
            firstName: "Existing",
            lastName: "Person",
            email: "existing@example.com",
            phone: null,
            phoneConsent: false,
            employeeId: "EMP-EXISTS",
            department: null,
            site: null,
            language: "en",
          },
          actor,
        );
        existingId = existing.id;
      });

      it("reports every problem per row and field, then imports exactly the valid rows", async () => {
        const users = await count(app.ctx, "users");
        const imp = await check(
          app.ctx,
          csv([
            "first name,last name,email,phone,consent,employee id,groups",
            "Valid,One,valid1@example.com,612 000 001,yes,V-1,Dry run",
            "Bad,Email,not-an-email,,,V-2,",
            "Bad,Phone,badphone@example.com,12,yes,V-3,",
            ",Noname,noname@example.com,,,V-4,",
            "Dup,InFile,VALID1@example.com,,,V-5,",
            "Dup,InDb,someone.new@example.com,,,emp-exists,",
            "No,Consent,noconsent@example.com,612 000 002,,V-6,",
            "Odd,Consent,oddconsent@example.com,612 000 003,maybe,V-7,",
            "Valid,Two,valid2@example.com,,,V-8,Dry run|Second group",
            "Dup,Phone,dupphone@example.com,+34612000001,x,V-9,",
            "Too,Many,many@example.com,,,V-10,,extra",
          ]),
        );
        assert.equal(imp.state, "checked", imp.error ?? "");
        // Line 7 is someone registered: not a problem but a question for the import.
        assert.deepEqual([imp.totalRows, imp.validRows, imp.invalidRows], [11, 3, 8]);
        const byLine = new Map<number, Array<[string, string]>>();
        for (const e of imp.report?.errors ?? []) byLine.set(e.line, [...(byLine.get(e.line) ?? []), [e.field, e.message]]);
        assert.deepEqual(byLine.get(3), [["email", "is not a valid email address"]]);
        assert.equal(byLine.get(4)?.[0]?.[0], "phone");
        assert.match(byLine.get(4)?.[0]?.[1] ?? "", /not a valid phone number/);
        assert.deepEqual(byLine.get(5), [["firstName", "First name is required"]]);
        assert.deepEqual(byLine.get(6), [["email", "same email address as line 2"]]);
        assert.equal(byLine.get(7), undefined);
        assert.deepEqual(imp.report?.matches, [
          { line: 7, name: "Dup InDb", match: { id: existingId, by: "employeeId", name: "Existing Person" } },
        ]);
        assert.equal(imp.report?.errors.find((e) => e.line === 3)?.name, "Bad Email");
        assert.equal(byLine.get(8)?.[0]?.[0], "phoneConsent");
        assert.match(byLine.get(8)?.[0]?.[1] ?? "", /explicit consent/);
        assert.deepEqual(byLine.get(9), [["phoneConsent", "must be yes or no (also sí/no, x, true/false, 1/0)"]]);
        assert.deepEqual(byLine.get(11), [["phone", "same phone number as line 2"]]);
        assert.equal(byLine.get(12)?.[0]?.[0], "row");
        assert.equal(imp.report?.errorCount, 8);
        assert.deepEqual(imp.report?.groupsToCreate, ["Dry run", "Second group"]);
        // The dry run wrote nothing but its report.
        assert.equal(await count(app.ctx, "users"), users);
        assert.equal(await count(app.ctx, "groups", { name: "Dry run" }), 0);

        // Never a silent second copy: the registered person needs an answer.
        await assert.rejects(
          app.ctx.imports.apply(imp.id, actor),
          /already registered: choose "update existing", "skip" or "add anyway" for Dup InDb \(line 7\)/,
        );
        await assert.rejects(
          app.ctx.imports.apply(imp.id, actor, undefined, { matchAll: "add" }),
          /"Add anyway" is only for people with the same name: Dup InDb \(line 7\) has the employee id of Existing Person/,
        );
        const done = await app.ctx.imports.apply(imp.id, actor, undefined, { matchAll: "skip" });
        assert.equal(done.state, "imported", done.error ?? "");
        assert.equal(done.importedRows, 2);
        assert.equal(done.report?.skippedRows, 1);
        assert.deepEqual(await emailsOfImport(app.ctx, imp.id), ["valid1@example.com", "valid2@example.com"]);
        assert.equal(await count(app.ctx, "users"), users + 2);
        const audit = await app.ctx
          .db("audit_log")
          .where({ action: "users.imported", target_id: String(imp.id) })
          .first();
        assert.equal(
          audit.summary,
          `Imported 2 people from import #${imp.id}, skipped 1 already registered, created 2 groups, 3 group memberships`,
        );
        assert.equal(audit.actor_label, "import test");
        // A second press does not import twice.
        await assert.rejects(app.ctx.imports.apply(imp.id, actor), /already been imported/);
      });

      it("imports nothing when a row became a duplicate after the dry run, and says which", async () => {
        const users = await count(app.ctx, "users");
        const groups = await count(app.ctx, "groups");
        const lines = ["first name,last name,email,groups"];
        for (let i = 1; i <= 2500; i++) lines.push(`Late,Person${i},late${i}@example.com,Late group ${i % 3}`);
        const imp = await check(app.ctx, csv(lines));
        assert.equal(imp.validRows, 2500);
        // Someone registers line 2,400's person by hand before the import runs.
        const meanwhile = await app.ctx.users.create(
          {
            firstName: "Late",
            lastName: "Person2399",
            email: "late2399@example.com",
            phone: null,
            phoneConsent: false,
            employeeId: null,
            department: null,
            site: null,
            language: "en",
          },
          actor,
        );
        const done = await app.ctx.imports.apply(imp.id, actor);
        assert.equal(done.state, "failed");
        assert.match(done.error ?? "", /Nothing was imported/);
        assert.deepEqual(done.report?.applyErrors, [
          {
            line: 2400,
            field: "row",
            name: "Late Person2399",
            message: `is now Late Person2399, registered since the check`,
            key: "imports:problem.matchNew",
            values: { person: "Late Person2399" },
          },
        ]);
        assert.ok(meanwhile.id);
        assert.equal(await count(app.ctx, "users", { import_id: imp.id }), 0);
        assert.equal(await count(app.ctx, "users"), users + 1);
        assert.equal(await count(app.ctx, "groups"), groups, "no group created either");
        const failed = await app.ctx
          .db("audit_log")
          .where({ action: "import.failed", target_id: String(imp.id) })
          .first();
        assert.match(failed.summary, /nothing was imported \(rows changed since the check\)/);

        // Checked again, that row is someone registered, and the import asks about them.
        const again = await app.ctx.imports.check(imp.id, actor);
        assert.deepEqual([again.validRows, again.invalidRows, again.report?.matchCount], [2500, 0, 1]);
        const imported = await app.ctx.imports.apply(imp.id, actor, undefined, { matchRows: { 2400: "skip" } });
        assert.equal(imported.state, "imported", imported.error ?? "");
        assert.equal(await count(app.ctx, "users", { import_id: imp.id }), 2499);
        assert.equal(await count(app.ctx, "groups"), groups + 3);
        const stored = (await app.ctx.db("imports").where({ id: imp.id }).first()).file_path as string;
        assert.deepEqual(
          uploadedFiles(app).filter((f) => f.startsWith(stored)),
          [],
          "neither the file nor its checked rows are left behind",
        );
      });

      it("rolls the whole import back when the database refuses a row halfway", async () => {
        const users = await count(app.ctx, "users");
        const groups = await count(app.ctx, "groups");
        const lines = ["first name,last name,email,groups"];
        for (let i = 1; i <= 2500; i++) lines.push(`Half,Way${i},half${i}@example.com,Halfway group`);
        const imp = await check(app.ctx, csv(lines));
        assert.equal(imp.validRows, 2500);
        // A failure that no check can foresee, in the second chunk, while the third is on its way.
        if (dialect === "sqlite") {
          await app.ctx.db.raw(
            "CREATE TRIGGER poison BEFORE INSERT ON users WHEN NEW.email_normalized = 'half1500@example.com' BEGIN SELECT RAISE(ABORT, 'poisoned'); END",
          );
        } else {
          await app.ctx.db.raw(
            "CREATE TRIGGER poison BEFORE INSERT ON users FOR EACH ROW IF NEW.email_normalized = 'half1500@example.com' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'poisoned'; END IF",
          );
        }
        try {
          const done = await app.ctx.imports.apply(imp.id, actor);
          assert.equal(done.state, "failed");
          assert.match(done.error ?? "", /Nothing was imported/);
          assert.doesNotMatch(done.error ?? "", /half1500/, "no personal data in the message");
        } finally {
          await app.ctx.db.raw("DROP TRIGGER poison");
        }
        assert.equal(await count(app.ctx, "users", { import_id: imp.id }), 0);
        assert.equal(await count(app.ctx, "users"), users);
        assert.equal(await count(app.ctx, "groups"), groups);
        assert.equal(await count(app.ctx, "user_search_terms", { term: "way1" }), 0);
      });

      it("marks an import whose process stopped as interrupted; nothing of it is in the database", async () => {
        const imp = await check(app.ctx, csv(["nombre;apellidos", "Gone;Away"]));
        await app.ctx
          .db("imports")
          .where({ id: imp.id })
          .update({ state: "importing", updated_at: Date.now() - 5 * 60_000 });
        const seen = await app.ctx.imports.get(imp.id);
        assert.equal(seen.state, "interrupted");
        assert.equal(seen.running, false);
        assert.match(seen.error ?? "", /nothing was imported/);
        assert.equal(seen.canRecheck, true);
        const status = await app.ctx.imports.status(imp.id);
        assert.equal(status.running, false);
      });
    });

    describe("command line", () => {
      it("imports a file: summary on stdout, problems on stderr, exit 0; --dry-run imports nothing", async () => {
        const file = path.join(files, "cli.csv");
        writeFileSync(
          file,
          csv(
            [
              "nombre;apellidos;correo;grupos",
              "Carla;Cli;carla@cli.example;CLI group",
              "Dani;Cli;bad-email;",
              "Eva;Cli;eva@cli.example;CLI group",
            ],
            {
              bom: true,
            },
          ),
        );
        const users = await count(app.ctx, "users");
        const dry = await runCli(app, ["users", "import", file, "--dry-run"]);
        assert.equal(dry.code, 0, dry.stderr);
        assert.match(
          dry.stdout,
          /^Dry run of import #\d+: 3 rows, 2 valid, 1 with problems, 1 new group; nothing was imported\.\n$/,
        );
        assert.match(dry.stderr, /line 3 \(Dani Cli\), correo: is not a valid email address/);
        assert.equal(await count(app.ctx, "users"), users);

        const real = await runCli(app, ["users", "import", file]);
        assert.equal(real.code, 0, real.stderr);
        assert.match(real.stdout, /^Imported 2 people \(import #\d+\); 1 row with problems left out; 1 group created\.\n$/);
        assert.equal(await count(app.ctx, "users"), users + 2);
        const audit = await app.ctx.db("audit_log").where({ action: "users.imported" }).orderBy("id", "desc").first();
        assert.match(audit.actor_label, /^command line/);
        assert.equal(audit.actor_type, "cli");

        // The same file again: everyone is already registered, and nothing happens without an answer.
        const again = await runCli(app, ["users", "import", file]);
        assert.equal(again.code, 1);
        assert.equal(again.stdout, "");
        assert.match(again.stderr, /2 people are already registered: --matches update/);
        assert.match(again.stderr, /line 2 \(Carla Cli\) is Carla Cli \(#\d+\), same email address/);
        assert.match(again.stderr, /Nothing imported/);
        const skipped = await runCli(app, ["users", "import", file, "--matches", "skip"]);
        assert.equal(skipped.code, 0, skipped.stderr);
        assert.match(
          skipped.stdout,
          /^Imported 0 people \(import #\d+\); 2 already registered skipped; 1 row with problems left out\.\n$/,
        );
        assert.equal(await count(app.ctx, "users"), users + 2);
      });

      it("refuses unreadable and oversized files with exit 1", async () => {
        const missing = await runCli(app, ["users", "import", path.join(files, "nope.csv")]);
        assert.equal(missing.code, 1);
        assert.match(missing.stderr, /no such file/);

        const big = path.join(files, "big.csv");
        writeFileSync(big, Buffer.alloc(10 * 1024 * 1024 + 1, "a"));
        const tooBig = await runCli(app, ["users", "import", big]);
        assert.equal(tooBig.code, 1);
        assert.match(tooBig.stderr, /larger than 10 MB/);

        const noNames = path.join(files, "nonames.csv");
        writeFileSync(noNames, "email\nx@example.com\n");
        const refused = await runCli(app, ["users", "import", noNames]);
        assert.equal(refused.code, 1);
        assert.match(refused.stderr, /No first name or last name columns/);

        const usage = await runCli(app, ["users", "import"]);
        assert.equal(usage.code, 2);
      });

      it("exports the filtered users as CSV on stdout", async () => {
        const group = (await app.ctx.groups.list()).find((g) => g.name === "CLI group");
        assert.ok(group);
        const res = await runCli(app, ["users", "export", "--group", String(group.id), "--status", "pending"]);
        assert.equal(res.code, 0, res.stderr);
        const lines = res.stdout.replace(BOM, "").trim().split("\r\n");
        assert.ok(res.stdout.startsWith(BOM));
        assert.equal(
          lines[0],
          "id,first name,last name,email,phone,phone consent,employee id,department,site,language,status,groups,created at,joined at",
        );
        assert.deepEqual(
          lines.slice(1).map((l) => l.split(",")[3]),
          ["carla@cli.example", "eva@cli.example"],
        );
        const bad = await runCli(app, ["users", "export", "--status", "sleeping"]);
        assert.equal(bad.code, 1);
        assert.match(bad.stderr, /status: must be one of pending, active, deactivated/);
      });

      it("leaves no half import when the process is killed during the import", async () => {
        const file = path.join(files, "killed.csv");
        const lines = ["first name,last name,email,groups"];
        for (let i = 1; i <= 30_000; i++) lines.push(`Killed,Person${i},killed${i}@example.com,Killed group`);
        writeFileSync(file, csv(lines));
        const env: NodeJS.ProcessEnv = { ...process.env, ...app.database.env, LOG_LEVEL: "silent" };
        if (!app.database.env.DATABASE_URL) delete env.DATABASE_URL;
        delete env.NODE_TEST_CONTEXT;
        const child = spawn(process.execPath, ["--import", "tsx", "server/cli/main.ts", "users", "import", file], {
          cwd: ROOT,
          env,
          stdio: "ignore",
        });
        const exited = new Promise((resolve) => child.on("close", resolve));
        let importId: number | undefined;
        for (let i = 0; i < 1200 && importId === undefined; i++) {
          const row = await app.ctx.db("imports").where({ state: "importing", filename: "killed.csv" }).first();
          if (row) importId = Number(row.id);
          else await new Promise((r) => setTimeout(r, 50));
        }
        assert.ok(importId, "the import started");
        await new Promise((r) => setTimeout(r, 300));
        child.kill("SIGKILL");
        await exited;
        assert.equal(await count(app.ctx, "users", { import_id: importId }), 0);
        assert.equal(await count(app.ctx, "groups", { name: "Killed group" }), 0);
        // Once nobody has reported progress for a while (and so the runner's lease has run out),
        // the import shows as interrupted.
        await app.ctx
          .db("imports")
          .where({ id: importId })
          .update({ updated_at: Date.now() - 5 * 60_000, lease_expires_at: Date.now() - 4 * 60_000 });
        assert.equal((await app.ctx.imports.get(importId)).state, "interrupted");
      });
    });

    describe("pages", () => {
      let admin: PageClient;
      before(async () => {
        await createStaff(app.ctx, "frontdesk", "desk@import.example");
        admin = new PageClient(app.url);
        await admin.signIn("desk@import.example", ADMIN_PASSWORD);
      });

      it("explains the columns and offers templates", async () => {
        const page = await admin.get("/import");
        assert.equal(page.status, 200);
        assert.match(page.text, /action="\/import\?_csrf=[^"]+"/);
        assert.match(page.text, /enctype="multipart\/form-data"/);
        assert.match(page.text, /correo electrónico/);
        assert.match(page.text, /50,000/);
        const { res: template, text } = await download(admin, "/import/template.csv?lang=es");
        assert.match(template.headers.get("content-type") ?? "", /text\/csv/);
        assert.ok(text.startsWith(BOM));
        assert.match(text, /^\uFEFFnombre;apellidos;correo electrónico;teléfono;consentimiento/);
      });

      it("uploads, shows the dry run with escaped errors and groups, then imports on request", async () => {
        await admin.get("/import");
        const content = csv([
          "nombre;apellidos;correo;grupos",
          "Page;One;page1@example.com;<script>alert(1)</script>",
          "Page;Two;page2@example.com;",
          "Page;Bad;<b>bad</b>;",
        ]);
        const posted = await postFile(admin, `/import?_csrf=${encodeURIComponent(admin.csrf)}`, content, "página.csv");
        assert.equal(posted.status, 303, posted.text.slice(0, 500));
        const location = posted.headers.get("location") ?? "";
        const id = Number(/^\/import\/(\d+)$/.exec(location)?.[1]);
        assert.ok(id);
        await app.ctx.imports.settled(id);

        const status = (await (
          await fetch(`${app.url}/import/${id}/status`, { headers: { cookie: cookieOf(admin) } })
        ).json()) as Record<string, unknown>;
        assert.deepEqual(Object.keys(status).sort(), ["processedRows", "progressText", "running", "state", "totalRows"]);
        assert.equal(status.running, false);

        const report = await admin.get(location);
        assert.equal(report.status, 200);
        assert.match(report.text, /página\.csv/);
        assert.match(report.text, /Import 2 people/);
        assert.match(report.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
        assert.doesNotMatch(report.text, /<script>alert/);
        assert.match(report.text, /correo \(email\)/);
        assert.match(report.text, /is not a valid email address/);
        assert.doesNotMatch(report.text, /style="/);

        const applied = await admin.post(`/import/${id}/apply`, {});
        assert.equal(applied.status, 303);
        await app.ctx.imports.settled(id);
        const result = await admin.get(`/import/${id}`);
        assert.match(result.text, /Imported 2 people/);
        assert.match(result.text, /href="\/users\?status=pending/);
        assert.equal(await count(app.ctx, "users", { import_id: id }), 2);

        const twice = await admin.post(`/import/${id}/apply`, {});
        assert.equal(twice.status, 409);
        assert.match(twice.text, /already been imported/);
      });

      it("shows a running import with a progress bar polled from the status URL", async () => {
        const imp = await upload(app.ctx, csv(["nombre;apellidos", "Pro;Gress"]));
        const page = await admin.get(`/import/${imp.id}`);
        assert.match(page.text, new RegExp(`data-import-status="/import/${imp.id}/status"`));
        assert.match(page.text, /<progress /);
        assert.match(page.text, /data-progress-label/);
      });

      it("refuses an upload without its CSRF token, or too large, keeping nothing", async () => {
        const before = await count(app.ctx, "imports");
        const filesBefore = uploadedFiles(app).length;
        const noToken = await postFile(admin, "/import", csv(["nombre;apellidos", "No;Token"]), "x.csv");
        assert.equal(noToken.status, 403);
        const line = "Some,One\n";
        const big = Buffer.from(`first name,last name\n${line.repeat(Math.ceil((10 * 1024 * 1024) / line.length) + 10)}`);
        const tooBig = await postFile(admin, `/import?_csrf=${encodeURIComponent(admin.csrf)}`, big, "big.csv");
        assert.equal(tooBig.status, 413);
        assert.match(tooBig.text, /larger than 10 MB/);
        const noFile = await postFile(admin, `/import?_csrf=${encodeURIComponent(admin.csrf)}`, Buffer.alloc(0), "");
        assert.equal(noFile.status, 400);
        assert.equal(await count(app.ctx, "imports"), before);
        assert.equal(uploadedFiles(app).length, filesBefore);
      });

      it("exports the filtered users list as CSV with a BOM, and audits the count only", async () => {
        const group = (await app.ctx.groups.list()).find((g) => g.name === "Almacén");
        assert.ok(group);
        const { res, text } = await download(admin, `/users/export.csv?group=${group.id}&status=pending&page=3`);
        assert.equal(res.status, 200);
        assert.match(res.headers.get("content-type") ?? "", /^text\/csv; charset=utf-8/);
        assert.match(res.headers.get("content-disposition") ?? "", /attachment; filename="people-\d{4}-\d{2}-\d{2}\.csv"/);
        assert.ok(text.startsWith(BOM));
        const rows = text.slice(1).trim().split("\r\n");
        assert.equal(rows.length, 3);
        const jose = rows.find((r) => r.includes("jose@ejemplo.es")) ?? "";
        assert.match(
          jose,
          /,José,García Núñez,jose@ejemplo\.es,\+34612345602,yes,ES-1,Logística,Madrid,es,pending,Almacén\|Madrid,\d{4}-/,
        );
        const audit = await app.ctx.db("audit_log").where({ action: "users.exported" }).orderBy("id", "desc").first();
        assert.equal(audit.summary, `Exported 2 people to CSV (filtered by status pending, group #${group.id})`);
        assert.equal(audit.actor_label, "desk@import.example");

        const { text: semicolon } = await download(admin, "/users/export.csv?q=garcia&sep=semicolon");
        assert.match(semicolon, /^\uFEFFid;first name;last name/);
        assert.doesNotMatch(
          (await app.ctx.db("audit_log").where({ action: "users.exported" }).orderBy("id", "desc").first()).summary,
          /garcia/i,
          "the search text is not in the audit log",
        );

        const bad = await fetch(`${app.url}/users/export.csv?status=sleeping`, { headers: { cookie: cookieOf(admin) } });
        assert.equal(bad.status, 400);
        const anonymous = await fetch(`${app.url}/users/export.csv`, { redirect: "manual" });
        assert.equal(anonymous.status, 302);
      });

      it("an export can be imported again: its headers are import headers", async () => {
        const { text } = await download(admin, "/users/export.csv?q=begona");
        const imp = await check(
          app.ctx,
          Buffer.from(text.replace("begona@ejemplo.es", "begona2@ejemplo.es").replace("ES-3", "ES-33")),
        );
        assert.equal(imp.validRows, 1, JSON.stringify(imp.report?.errors));
        assert.deepEqual(
          imp.report?.columns.filter((c) => !c.field).map((c) => c.header),
          ["id", "status", "created at", "joined at"],
        );
      });
    });
  });
}

/** A download as its bytes say, BOM included (fetch's text() would drop it). */
async function download(client: PageClient, url: string): Promise<{ res: Response; text: string }> {
  const res = await fetch(client.baseUrl + url, { headers: { cookie: cookieOf(client) } });
  const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(await res.arrayBuffer());
  return { res, text };
}

function cookieOf(client: PageClient): string {
  return (client as unknown as { headers(): Record<string, string> }).headers().cookie ?? "";
}
