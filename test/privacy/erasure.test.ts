import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { dialectOf } from "../../server/core/db/knex.js";
import { cliActor } from "../../server/core/events.js";
import { call } from "../support/api-client.js";
import { ADMIN_PASSWORD, createApiKey, createStaff, startTestApp, type TestApp } from "../support/app.js";
import { PageClient } from "../support/browser-client.js";
import { dialects } from "../support/databases.js";
import { waitFor } from "../support/notify-app.js";

/** Out of the queue: sent, saved as a file (no mail server) or only logged (no SMS provider). */
const DELIVERED = ["sent", "saved", "logged"];

/** What must be gone after the erasure, in every form the service stores it. */
const ERASED = {
  firstName: "Zebulon",
  lastName: "Quixotefind",
  email: "zebulon.quixotefind@example.org",
  phone: "+34 612 345 678",
};
const NEEDLES = ["quixotefind", "zebulon", "612345678", "612 345 678"];
/** Someone who stays: found everywhere the erased person is not, so the search itself is proven. */
const KEPT = { firstName: "Wilhelmina", lastName: "Keepsakeburg", email: "wilhelmina.keepsakeburg@example.org" };

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

async function everyTable(app: TestApp): Promise<Record<string, unknown[]>> {
  const db = app.ctx.db;
  const names: string[] =
    dialectOf(db) === "sqlite"
      ? (await db("sqlite_master").where({ type: "table" }).select("name")).map((r: { name: string }) => r.name)
      : (await db.raw("SHOW TABLES"))[0].map((r: Record<string, string>) => Object.values(r)[0]);
  const out: Record<string, unknown[]> = {};
  for (const name of names) out[name] = await db(name).select("*");
  return out;
}

for (const dialect of await dialects()) {
  describe(`erasing a person leaves nothing of them behind (${dialect})`, () => {
    let app: TestApp;
    let key: string;
    let admin: PageClient;
    let erasedId: number;

    before(async () => {
      app = await startTestApp(dialect, { OUTBOX_RETRY_SECONDS: "1" });
      key = await createApiKey(app.ctx);
      await createStaff(app.ctx, "admin");
      admin = new PageClient(app.url);
      await admin.signIn("admin@example.com", ADMIN_PASSWORD);
    });
    after(() => app.stop());

    it("leaves them in no table, no file of DATA_DIR, no page or API answer, and not in the SQLite file or its WAL", async () => {
      const group = await call(app, "POST", "/groups", { key, body: { name: "Night shift" } });
      const created = await call(app, "POST", "/users", {
        key,
        body: { ...ERASED, phoneConsent: true, language: "es", department: "Quixotefind Dept", groups: [group.body.id] },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      erasedId = created.body.id;
      const kept = await call(app, "POST", "/users", { key, body: { ...KEPT, groups: [group.body.id] } });
      assert.equal(kept.status, 201);

      // Leave traces everywhere a person's data goes: email (a .eml file) and SMS, consent
      // history (withdrawn, given again), a kiosk, tonight's print queue, the export, the audit trail.
      for (const id of [erasedId, kept.body.id]) {
        const sent = await call(app, "POST", `/users/${id}/invitation/send`, { key, body: { channel: "email" } });
        assert.equal(sent.status, 202, JSON.stringify(sent.body));
        await waitFor("the email file", async () =>
          DELIVERED.includes((await app.ctx.notify.outbox.get(sent.body.id)).state) ? true : undefined,
        );
      }
      const sms = await call(app, "POST", `/users/${erasedId}/invitation/send`, { key, body: { channel: "sms" } });
      assert.equal(sms.status, 202, JSON.stringify(sms.body));
      await waitFor("the SMS", async () =>
        (await app.ctx.notify.outbox.get(sms.body.id)).state !== "queued" ? true : undefined,
      );
      await call(app, "PATCH", `/users/${erasedId}`, { key, body: { phoneConsent: false, phone: null } });
      await call(app, "PATCH", `/users/${erasedId}`, { key, body: { phone: ERASED.phone, phoneConsent: true } });
      assert.equal((await app.ctx.privacy.consent.of(erasedId)).length, 3);
      const { kiosk } = await app.ctx.kiosks.create({ name: "Lobby" }, cliActor());
      await app.ctx.kiosks.display(kiosk.id, erasedId, cliActor());
      const printer = await app.ctx.print.printers.create(
        { name: "LAN", driver: "ipp", uri: "ipp://192.168.0.250/ipp/print" },
        cliActor(),
      );
      await app.ctx.print.jobs.queueTonight(printer.id, [erasedId, kept.body.id], cliActor());
      const exported = await call(app, "GET", `/users/${erasedId}/export`, { key });
      assert.equal(exported.status, 200);

      const before = JSON.stringify(await everyTable(app)).toLowerCase();
      for (const needle of ["quixotefind", "612345678", "keepsakeburg"])
        assert.ok(before.includes(needle), `${needle} is stored before`);
      const emlBefore = filesUnder(app.database.dataDir).filter((f) => f.endsWith(".eml"));
      assert.equal(emlBefore.length, 2);

      const erased = await call(app, "DELETE", `/users/${erasedId}`, { key });
      assert.equal(erased.status, 204);

      // Every table.
      const tables = await everyTable(app);
      for (const [table, rows] of Object.entries(tables)) {
        const text = JSON.stringify(rows).toLowerCase();
        for (const needle of NEEDLES) assert.equal(text.includes(needle), false, `${needle} is still in table ${table}`);
      }
      assert.ok(JSON.stringify(tables).toLowerCase().includes("keepsakeburg"), "the other person is untouched");

      // Every file in DATA_DIR, raw bytes: the SQLite database and its WAL, the .eml outbox, the secret.
      const files = filesUnder(app.database.dataDir);
      if (dialect === "sqlite") {
        assert.ok(files.some((f) => f.endsWith(".sqlite")));
        assert.ok(files.some((f) => f.endsWith(".sqlite-wal")));
      }
      let keptSeen = false;
      for (const file of files) {
        const bytes = readFileSync(file).toString("latin1").toLowerCase();
        for (const needle of NEEDLES) assert.equal(bytes.includes(needle), false, `${needle} is still in ${path.basename(file)}`);
        keptSeen ||= bytes.includes("keepsakeburg");
      }
      assert.ok(keptSeen, "the other person's data is found in the files (the search reads them)");
      assert.equal(files.filter((f) => f.endsWith(".eml")).length, 1, "only the other person's email file is left");

      // Pages and API answers.
      const listed = await call(app, "GET", "/users?q=quixotefind", { key });
      assert.equal(listed.body.total, 0);
      assert.equal((await call(app, "GET", `/users/${erasedId}`, { key })).status, 404);
      for (const page of ["/users", "/deliveries", "/audit", "/print", `/groups/${group.body.id}`, "/kiosks"]) {
        const res = await admin.get(page);
        const text = res.text.toLowerCase();
        for (const needle of NEEDLES) assert.equal(text.includes(needle), false, `${needle} is on ${page}`);
      }
      const audit = await app.ctx.db("audit_log").where({ action: "user.erased", target_id: String(erasedId) });
      assert.equal(audit.length, 1, "the erasure itself is recorded, by number only");
    });
  });
}
