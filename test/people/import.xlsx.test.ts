import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import ExcelJS from "exceljs";
import { cliActor } from "../../server/core/events.js";
import { ADMIN_PASSWORD, createStaff, startTestApp, type TestApp } from "../support/app.js";
import { PageClient } from "../support/browser-client.js";
import { dialects } from "../support/databases.js";
import { personInput } from "../support/people.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const actor = cliActor("xlsx test");

const FIRST = ["José", "María", "Íñigo", "Begoña", "Nuria", "Álvaro", "Lucía", "Ramón", "Sofía", "Jesús"];
const LAST = ["Núñez Peña", "Fernández", "Muñoz de la Fuente", "García-Ibáñez", "López", "Martín Sáez", "Gómez", "Álvarez"];

type Person = {
  first: string;
  last: string;
  email: string | null;
  phone: string | number | null;
  employeeId: string;
  department: string | null;
};

/** 300 people as an HR export lists them: accents, phones typed as numbers or text, blank cells. */
function staff(): Person[] {
  const people: Person[] = [];
  for (let i = 0; i < 300; i++) {
    const first = FIRST[i % FIRST.length] as string;
    const last = `${LAST[i % LAST.length]} ${i}`;
    people.push({
      first,
      last,
      email: i % 7 === 3 ? null : `persona${i}@empresa.example`,
      // Every other phone as Excel keeps a number typed into a cell; some people have none.
      phone: i % 11 === 5 ? null : i % 2 ? 600_000_000 + i : `+34 6${String(10_000_000 + i).slice(0, 8)}`,
      employeeId: `E-${1000 + i}`,
      department: i % 5 === 0 ? null : (["Almacén", "Administración", "Logística"][i % 3] as string),
    });
  }
  return people;
}

async function workbook(people: Person[], consent: boolean): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("Plantilla");
  ws.addRow([
    "Nombre",
    "Apellidos",
    "Correo electrónico",
    "Teléfono móvil",
    ...(consent ? ["Consentimiento"] : []),
    "Número de empleado",
    "Departamento",
  ]);
  for (const p of people) ws.addRow([p.first, p.last, p.email, p.phone, ...(consent ? ["sí"] : []), p.employeeId, p.department]);
  // A notes sheet, as HR files often have: not read.
  wb.addWorksheet("Notas").addRow(["Exportado del sistema de RR. HH."]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

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

const count = async (app: TestApp) => Number((await app.ctx.db("users").count({ n: "*" }).first())?.n ?? 0);

for (const dialect of await dialects()) {
  describe(`Excel import of an HR export on ${dialect}`, () => {
    let app: TestApp;
    let files: string;
    const people = staff();

    before(async () => {
      // An organization in Spain with no language chosen: its people default to Spanish.
      app = await startTestApp(dialect, { DEFAULT_COUNTRY: "ES", DEFAULT_LANGUAGE: "" });
      assert.equal((await app.ctx.settings.get()).defaultLanguage, "es");
      files = mkdtempSync(path.join(tmpdir(), "invst-xlsx-"));
      await createStaff(app.ctx, "frontdesk", "desk@empresa.example");
      // Ten people registered before the file arrives, found in it by each identifier in turn.
      for (let i = 0; i < 10; i++) {
        const p = people[i * 29] as Person;
        const by = i % 3;
        await app.ctx.users.create(
          personInput({
            firstName: p.first,
            // Found by name: typed without accents and in another case.
            lastName: by === 2 ? p.last.normalize("NFKD").replace(/\p{M}/gu, "").toUpperCase() : p.last,
            email: by === 1 ? p.email : null,
            employeeId: by === 0 ? p.employeeId : null,
            department: "Antes",
            language: "en",
          }),
          actor,
        );
      }
    });
    after(async () => {
      rmSync(files, { recursive: true, force: true });
      await app.stop();
    });

    it("imports 300 rows in one pass: one question about phones, the registered ten updated, nobody twice, everyone in Spanish", async () => {
      const desk = new PageClient(app.url);
      await desk.signIn("desk@empresa.example", ADMIN_PASSWORD);
      await desk.get("/import");
      const up = await desk.postFile(
        `/import?_csrf=${encodeURIComponent(desk.csrf)}`,
        "file",
        await workbook(people, false),
        "plantilla-rrhh.xlsx",
        XLSX,
      );
      assert.equal(up.status, 303, up.text.slice(0, 500));
      const where = up.headers.get("location") as string;
      const id = Number(where.split("/").pop());
      await app.ctx.imports.settled(id);

      const page = await desk.get(where);
      assert.equal(page.status, 200);
      const withPhone = people.filter((p) => p.phone !== null).length;
      // The file-level question, said once, with its two answers, in the organization's language.
      assert.equal(page.text.split("el archivo no tiene columna de consentimiento").length - 1, 1);
      assert.match(page.text, new RegExp(`${withPhone} personas tienen número de teléfono`));
      assert.match(page.text, /value="drop"/);
      assert.match(page.text, /value="consented"/);
      assert.match(page.text, /10 personas ya están registradas/);
      assert.match(page.text, /Importar 300 personas/);
      assert.doesNotMatch(page.text, /<h2>Problems<\/h2>/);
      assert.match(page.text, /Libro de Excel: se ha leído la primera hoja/);
      const imp = await app.ctx.imports.get(id);
      assert.equal(imp.validRows, 300);
      assert.equal(imp.invalidRows, 0);
      assert.deepEqual(
        (imp.report?.matches ?? []).map((m) => m.match.by),
        ["employeeId", "email", "name", "employeeId", "email", "name", "employeeId", "email", "name", "employeeId"],
      );

      // Without the answers nothing happens, and the page says what is missing.
      const unanswered = await desk.post(`/import/${id}/apply`, {});
      assert.equal(unanswered.status, 400);
      assert.match(unanswered.text, /import without phone numbers, or confirm that everyone consented/);

      const done = await desk.post(`/import/${id}/apply`, { phones: "consented", matchAll: "update" });
      assert.equal(done.status, 303, done.text.slice(0, 500));
      await app.ctx.imports.settled(id);
      const after = await app.ctx.imports.get(id);
      assert.equal(after.state, "imported", after.error ?? "");
      assert.equal(after.importedRows, 290);
      assert.equal(after.report?.updatedRows, 10);

      assert.equal(await count(app), 300, "ten updated, 290 added: nobody twice");
      const byEmployee = await app.ctx
        .db("users")
        .select("employee_id_normalized")
        .count({ n: "*" })
        .groupBy("employee_id_normalized")
        .having(app.ctx.db.raw("count(*) > 1"));
      assert.deepEqual(byEmployee, []);
      const languages = await app.ctx
        .db("users")
        .distinct("language")
        .whereNot({ department: "Antes" })
        .whereNotNull("import_id");
      assert.deepEqual(
        languages.map((l: { language: string }) => l.language),
        ["es"],
      );
      // A registered person found by employee id took the file's values; found by name, their employee id.
      const first = await app.ctx.db("users").where({ employee_id: "E-1000" }).first();
      assert.equal(first.last_name, "Núñez Peña 0");
      assert.equal(first.phone, "+34610000000");
      assert.equal(Number(first.phone_consent), 1);
      assert.match(first.phone_consent_by, /desk@empresa\.example, confirming that everyone in import #\d+ consented/);
      const named = await app.ctx.db("users").where({ employee_id: "E-1058" }).first();
      assert.ok(named, "the person found by name took the file's employee id");
      assert.equal(
        await app.ctx
          .db("users")
          .where({ first_name: named.first_name, last_name: named.last_name })
          .count({ n: "*" })
          .first()
          .then((r) => Number(r?.n)),
        1,
      );
      const audit = await app.ctx.db("audit_log").where({ action: "users.imported" }).orderBy("id", "desc").first();
      assert.match(
        audit.summary,
        /updated 10 already registered; desk@empresa\.example confirmed that the \d+ people with a phone consented/,
      );
    });

    it("re-importing the file with a consent column added (command line) updates everyone rather than adding anyone", async () => {
      const file = path.join(files, "plantilla-con-consentimiento.xlsx");
      const { writeFile } = await import("node:fs/promises");
      await writeFile(file, await workbook(people, true));

      const asked = await runCli(app, ["users", "import", file]);
      assert.equal(asked.code, 1, asked.stdout);
      assert.match(asked.stderr, /300 people are already registered: --matches update/);
      assert.doesNotMatch(asked.stderr, /--phones/);
      assert.equal(await count(app), 300);

      const run = await runCli(app, ["users", "import", file, "--matches", "update"]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^Imported 0 people \(import #\d+\); 300 already registered updated\.\n$/);
      assert.equal(await count(app), 300);
      // The phone and its consent were already registered: the first record of who confirmed it stays.
      const p = await app.ctx.db("users").where({ employee_id: "E-1001" }).first();
      assert.match(p.phone_consent_by, /desk@empresa\.example, confirming/);
    });

    it("names the person and line of a row with a problem", async () => {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet("Hoja1");
      ws.addRow(["nombre", "apellidos", "correo"]);
      ws.addRow([]);
      ws.addRow(["Ángela", "Ruiz Pérez", "no-es-un-correo"]);
      const file = path.join(files, "malo.xlsx");
      const { writeFile } = await import("node:fs/promises");
      await writeFile(file, Buffer.from(await wb.xlsx.writeBuffer()));
      const run = await runCli(app, ["users", "import", file, "--dry-run"]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /line 3 \(Ángela Ruiz Pérez\), correo: is not a valid email address/);
    });
  });
}
