import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { nowMs } from "../../server/core/db/convert.js";
import { cliActor } from "../../server/core/events.js";
import { emlFileOf } from "../../server/notify/mailer.js";
import { call } from "../support/api-client.js";
import { ADMIN_PASSWORD, createApiKey, createStaff, startTestApp, type TestApp } from "../support/app.js";
import { PageClient } from "../support/browser-client.js";
import { dialects } from "../support/databases.js";
import { waitFor } from "../support/notify-app.js";

/** Out of the queue: sent, saved as a file (no mail server) or only logged (no SMS provider). */
const DELIVERED = ["sent", "saved", "logged"];

const DAY = 86_400_000;

for (const dialect of await dialects()) {
  describe(`a person's records: export, consent history, retention (${dialect})`, () => {
    let app: TestApp;
    let key: string;
    let admin: PageClient;
    let desk: PageClient;

    before(async () => {
      app = await startTestApp(dialect);
      key = await createApiKey(app.ctx);
      await createStaff(app.ctx, "admin");
      await createStaff(app.ctx, "frontdesk");
      admin = new PageClient(app.url);
      await admin.signIn("admin@example.com", ADMIN_PASSWORD);
      desk = new PageClient(app.url);
      await desk.signIn("frontdesk@example.com", ADMIN_PASSWORD);
    });
    after(() => app.stop());

    const sendEmail = async (userId: number) => {
      const sent = await call(app, "POST", `/users/${userId}/invitation/send`, { key, body: { channel: "email" } });
      assert.equal(sent.status, 202, JSON.stringify(sent.body));
      await waitFor("the email", async () =>
        DELIVERED.includes((await app.ctx.notify.outbox.get(sent.body.id)).state) ? true : undefined,
      );
      return Number(sent.body.id);
    };

    it("keeps consent changes as a history (who, when, how) and shows it on the profile", async () => {
      const created = await call(app, "POST", "/users", {
        key,
        body: { firstName: "Consuelo", lastName: "Historia", phone: "+34 611 222 333", phoneConsent: true },
      });
      const id = created.body.id;
      await call(app, "PATCH", `/users/${id}`, { key, body: { phoneConsent: false, phone: null } });
      const history = await app.ctx.privacy.consent.of(id);
      assert.deepEqual(
        history.map((c) => [c.granted, c.via]),
        [
          [true, "API"],
          [false, "API"],
        ],
      );
      assert.match(history[0]?.by ?? "", /^API key test key/);
      const page = await admin.get(`/users/${id}`);
      assert.match(page.text, /Phone consent given <span class="muted">— API key test key [^,]*, API<\/span>/);
      assert.match(page.text, /Phone consent withdrawn/);
      assert.match(page.text, new RegExp(`href="/users/${id}/export.json"`));
      // Front desk sees the history, not the export.
      const deskPage = await desk.get(`/users/${id}`);
      assert.match(deskPage.text, /Phone consent withdrawn/);
      assert.doesNotMatch(deskPage.text, /export\.json/);
    });

    it("exports everything kept about a person as JSON, without their link or code, and records who asked", async () => {
      const created = await call(app, "POST", "/users", {
        key,
        body: {
          firstName: "Ana",
          lastName: "Acceso",
          email: "ana.acceso@example.org",
          phone: "+34 622 333 444",
          phoneConsent: true,
        },
      });
      const id = created.body.id;
      await sendEmail(id);
      const { kiosk } = await app.ctx.kiosks.create({ name: "Lobby" }, cliActor());
      await app.ctx.kiosks.display(kiosk.id, id, cliActor());
      const invitation = await app.ctx.invitations.current(id);

      const res = await call(app, "GET", `/users/${id}/export`, { key });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("cache-control"), "no-store");
      const data = res.body;
      assert.equal(data.person.email, "ana.acceso@example.org");
      assert.equal(data.person.phone, "+34622333444");
      assert.equal(data.consentHistory.length, 1);
      assert.equal(data.invitations.length, 1);
      assert.equal(data.deliveries[0].recipient, "ana.acceso@example.org");
      assert.equal(data.kiosks[0].kiosk, "Lobby");
      assert.ok(data.auditTrail.some((a: { action: string }) => a.action === "user.created"));
      const text = JSON.stringify(data);
      assert.equal(text.includes(invitation.code), false, "no code");
      assert.equal(text.includes(invitation.url.split("/").pop() as string), false, "no link token");

      const download = await admin.get(`/users/${id}/export.json`);
      assert.equal(download.status, 200);
      assert.match(download.headers.get("content-disposition") ?? "", /attachment; filename="?person-\d+\.json"?/);
      assert.equal(JSON.parse(download.text).person.id, id);
      assert.equal((await desk.get(`/users/${id}/export.json`)).status, 403);
      const asked = await app.ctx.db("audit_log").where({ action: "user.exported", target_id: String(id) });
      assert.equal(asked.length, 2);
      assert.equal((await call(app, "GET", "/users/999999/export", { key })).status, 404);
    });

    it("deletes records older than the retention settings, nightly, and keeps everything with 0 days", async () => {
      const job = app.ctx.jobs.list().find((j) => j.name === "privacy.retention");
      assert.ok(job, "a scheduled job applies retention");
      const created = await call(app, "POST", "/users", {
        key,
        body: { firstName: "Rita", lastName: "Retencion", email: "rita@example.org" },
      });
      const oldMail = await sendEmail(created.body.id);
      const newMail = await sendEmail(created.body.id);
      const now = nowMs();
      // Age some of them as the months would: 100 days for the mail, 400 for an audit entry, 40 for a kiosk display.
      await app.ctx
        .db("outbox")
        .where({ id: oldMail })
        .update({ updated_at: now - 100 * DAY });
      const [oldAudit] = await app.ctx
        .db("audit_log")
        .where({ action: "user.created", target_id: String(created.body.id) })
        .pluck("id");
      await app.ctx
        .db("audit_log")
        .where({ id: oldAudit })
        .update({ at: now - 400 * DAY });
      await app.ctx
        .db("audit_log")
        .where({ action: "kiosk.display" })
        .update({ at: now - 40 * DAY });
      assert.ok(existsSync(emlFileOf(app.ctx.config.dataDir, oldMail)));

      await app.ctx.privacySettings.update(
        { auditRetentionDays: 0, deliveryRetentionDays: 0, printRetentionDays: 0, kioskRetentionDays: 0 },
        cliActor(),
      );
      assert.deepEqual(await app.ctx.privacy.applyRetention(), { audit: 0, deliveries: 0, printJobs: 0, kioskEntries: 0 });

      await app.ctx.privacySettings.update(
        { auditRetentionDays: 365, deliveryRetentionDays: 90, printRetentionDays: 90, kioskRetentionDays: 30 },
        cliActor(),
      );
      assert.ok(await app.ctx.jobs.runNow("privacy.retention"));
      assert.equal(await app.ctx.db("outbox").where({ id: oldMail }).first(), undefined);
      assert.equal(existsSync(emlFileOf(app.ctx.config.dataDir, oldMail)), false, "its .eml file went with it");
      assert.ok(await app.ctx.db("outbox").where({ id: newMail }).first());
      assert.ok(existsSync(emlFileOf(app.ctx.config.dataDir, newMail)));
      assert.equal(await app.ctx.db("audit_log").where({ id: oldAudit }).first(), undefined);
      assert.equal((await app.ctx.db("audit_log").where({ action: "kiosk.display" })).length, 0);
      assert.ok((await app.ctx.db("audit_log").where({ action: "user.exported" })).length > 0, "recent entries stay");
    });

    it("has an admin page for the settings that names a wrong field and loses nothing", async () => {
      const page = await admin.get("/admin/privacy");
      assert.equal(page.status, 200);
      assert.match(page.text, /name="auditRetentionDays"[^>]*value="365"/);
      const bad = await admin.post("/admin/privacy", {
        auditRetentionDays: "forever",
        deliveryRetentionDays: "",
        printRetentionDays: "60",
        kioskRetentionDays: "7",
      });
      assert.equal(bad.status, 400);
      assert.match(bad.text, /id="auditRetentionDays-error"[^<]*whole number of days/);
      assert.match(bad.text, /id="deliveryRetentionDays-error"/);
      assert.match(bad.text, /name="printRetentionDays"[^>]*value="60"/);
      const ok = await admin.post("/admin/privacy", {
        auditRetentionDays: "730",
        deliveryRetentionDays: "30",
        printRetentionDays: "60",
        kioskRetentionDays: "7",
        allowInternalAddresses: "on",
      });
      assert.equal(ok.status, 303);
      const saved = await app.ctx.privacySettings.get();
      assert.deepEqual(
        [
          saved.auditRetentionDays,
          saved.deliveryRetentionDays,
          saved.printRetentionDays,
          saved.kioskRetentionDays,
          saved.allowInternalAddresses,
        ],
        [730, 30, 60, 7, true],
      );
      assert.equal((await desk.get("/admin/privacy")).status, 403);
    });
  });
}
