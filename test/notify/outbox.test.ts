import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { simpleParser } from "mailparser";
import pino from "pino";
import { ConfigError, loadConfig } from "../../server/core/config.js";
import { cliActor } from "../../server/core/events.js";
import { retryDelayMs } from "../../server/notify/backoff.js";
import type { Delivery } from "../../server/notify/outbox.types.js";
import { pickSmsText, smsSize } from "../../server/notify/sms/gsm.js";
import { LogSmsProvider } from "../../server/notify/sms/log.js";
import type { UserInput } from "../../server/people/users.schema.js";
import { ADMIN_PASSWORD, createApiKey, createStaff } from "../support/app.js";
import { PageClient } from "../support/browser-client.js";
import { dialects, freshDatabase, type TestDatabase } from "../support/databases.js";
import { HttpCapture } from "../support/http-capture.js";
import { type NotifyTestApp, startNotifyApp, waitFor } from "../support/notify-app.js";
import { assertMatchesOpenApi } from "../support/openapi-check.js";
import { personInput } from "../support/people.js";
import { freePort, SmtpCapture } from "../support/smtp-capture.js";

const SECRET_KEY = "outbox-test-secret-key-0123456789abcdef";
const TWILIO_SID = `AC${"0123456789abcdef".repeat(2)}`;
const TWILIO_TOKEN = "twilio-auth-token-for-tests";

const person = (over: Partial<UserInput>): UserInput =>
  personInput({ firstName: "Lucía", lastName: "García", language: "es", ...over });

/** One JSON API call with a bearer key. */
async function api(app: NotifyTestApp, key: string, method: string, url: string, body?: unknown) {
  const res = await fetch(`${app.url}/api/v1${url}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const parsed = text ? JSON.parse(text) : null;
  assertMatchesOpenApi(method, url, res.status, res.headers.get("content-type"), parsed);
  // biome-ignore lint/suspicious/noExplicitAny: a JSON reply, checked field by field
  return { status: res.status, body: parsed as any };
}

/** Polls the outbox until the delivery reaches `state` (or fails the test after 15 s). */
const settled = (app: NotifyTestApp, id: number, state: Delivery["state"] = "sent") =>
  waitFor(`delivery #${id} to be ${state}`, async () => {
    const d = await app.notify.outbox.get(id);
    return d.state === state ? d : undefined;
  });

for (const dialect of await dialects()) {
  describe(`outbox: invitation email over SMTP (${dialect})`, () => {
    let database: TestDatabase;
    let smtp: SmtpCapture;
    let app: NotifyTestApp;
    let key: string;
    let desk: PageClient;

    before(async () => {
      database = await freshDatabase(dialect);
      smtp = await SmtpCapture.start();
      app = await startNotifyApp(database, { SMTP_URL: smtp.url, MAIL_FROM: "Front Desk <desk@example.com>" });
      await app.ctx.settings.update(
        {
          organizationName: "Acme & Sons",
          appName: "Chatter",
          appStoreUrl: "https://apps.apple.com/app/chatter/id1",
          playStoreUrl: "https://play.google.com/store/apps/details?id=chatter",
        },
        cliActor(),
      );
      key = await createApiKey(app.ctx, ["invitations"]);
      await createStaff(app.ctx, "frontdesk");
      desk = new PageClient(app.url);
      await desk.signIn("frontdesk@example.com", ADMIN_PASSWORD);
    });
    after(async () => {
      await app?.stop();
      await smtp?.close();
      await database?.drop();
    });

    it("sends the invitation from the profile button: Spanish, HTML and text, link, code, QR inline", async () => {
      const user = await app.ctx.users.create(person({ email: "lucia@example.com" }), cliActor());
      const invitation = await app.ctx.invitations.current(user.id);
      await desk.get(`/users/${user.id}`);
      const res = await desk.post(`/users/${user.id}/invitation/send`, { channel: "email" });
      assert.equal(res.status, 303, res.text.slice(0, 300));
      assert.equal(res.headers.get("location"), `/users/${user.id}?done=invitation-email`);

      const [queued] = await app.notify.deliveriesFor(user.id);
      assert.ok(queued);
      const sent = await settled(app, queued.id);
      const mails = smtp.to("lucia@example.com");
      assert.equal(mails.length, 1);
      const mail = (mails[0] as (typeof mails)[number]).parsed;
      assert.equal(sent.providerId, mail.messageId);

      assert.equal(mail.subject, "Tu invitación para unirte a Acme & Sons en Chatter");
      assert.equal(mail.from?.value[0]?.address, "desk@example.com");
      assert.match(mail.text ?? "", /^Hola Lucía:/);
      assert.ok(mail.text?.includes(invitation.url), "the link in the text part");
      assert.ok(mail.text?.includes(invitation.code), "the typed code in the text part");
      assert.ok(mail.text?.includes("https://play.google.com/store/apps/details?id=chatter"));
      const html = String(mail.html);
      assert.match(html, /<html lang="es">/);
      assert.match(html, /Hola Lucía:/);
      assert.match(html, /Acme &amp; Sons/, "names are escaped in the HTML");
      assert.ok(html.includes(`href="${invitation.url}"`), "the link as a button");
      assert.ok(html.includes("https://apps.apple.com/app/chatter/id1"));
      assert.match(html, /válida hasta el \d{1,2} de \w+ de \d{4}/);

      const qr = mail.attachments.find((a) => a.contentType === "image/png");
      assert.ok(qr, "a PNG attachment");
      assert.equal(qr.contentDisposition, "inline");
      assert.ok(qr.cid && html.includes(`cid:${qr.cid}`), "the HTML shows the QR code inline by its CID");
      assert.deepEqual([...qr.content.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);

      // The link works: the join page greets the person by name.
      const join = await fetch(invitation.url);
      assert.equal(join.status, 200);
      assert.match(await join.text(), /Lucía/);

      // Never stored in the clear; the history says what happened without personal data.
      const row = await app.ctx.db("outbox").where({ id: queued.id }).first();
      assert.ok(!row.payload.includes(invitation.token) && !row.payload.includes(invitation.code));
      // The event follows the state change: it is recorded a moment later.
      const history = await waitFor("invitation.sent in the history", async () => {
        const entries = await app.ctx.audit.forTarget("user", user.id);
        return entries.some((h) => h.action === "invitation.sent") ? entries : undefined;
      });
      const sentEntry = history.find((h) => h.action === "invitation.sent");
      assert.ok(sentEntry, "invitation.sent in the person's history");
      assert.ok(history.some((h) => h.action === "invitation.queued" && h.actorLabel === "frontdesk@example.com"));
      for (const h of history) assert.ok(!/lucia@|Lucía|García/.test(h.summary), h.summary);
      const queuedAt = history.findIndex((h) => h.action === "invitation.queued");
      assert.ok(queuedAt > history.indexOf(sentEntry), "queued is recorded before sent (history is newest first)");

      const extras = await app.notify.profile(await app.ctx.users.get(user.id));
      assert.deepEqual(
        extras.deliveries.map((d) => [d.id, d.channel, d.state]),
        [[queued.id, "email", "sent"]],
      );
      assert.equal(extras.canSendEmail, true);
      assert.equal(extras.canSendSms, false);
    });

    it("a send from an out-of-date profile returns to it, saying why nothing was sent", async () => {
      const user = await app.ctx.users.create(person({ email: "late.joiner@example.com" }), cliActor());
      assert.match((await desk.get(`/users/${user.id}`)).text, /Send by email/);
      await app.ctx.users.join(user.id, "link", cliActor());
      const res = await desk.post(`/users/${user.id}/invitation/send`, { channel: "email" });
      assert.equal(res.status, 303, res.text.slice(0, 300));
      const back = res.headers.get("location") ?? "";
      assert.equal(back, `/users/${user.id}?done=invitation-send-refused`);
      const profile = await desk.get(back);
      assert.match(profile.text, /Not sent: this person changed since the page was loaded/);
      assert.doesNotMatch(profile.text, /Send by email/);
      assert.deepEqual(await app.notify.deliveriesFor(user.id), []);
    });

    it("answers the API with 202 and the outbox message; English for an English speaker", async () => {
      const user = await app.ctx.users.create(
        person({ firstName: "John", lastName: "Smith", email: "john@example.com", language: "en" }),
        cliActor(),
      );
      const reply = await api(app, key, "POST", `/users/${user.id}/invitation/send`, { channel: "email" });
      assert.equal(reply.status, 202, JSON.stringify(reply.body));
      assert.deepEqual(Object.keys(reply.body).sort(), ["channel", "id", "state"]);
      assert.equal(reply.body.channel, "email");
      assert.equal(reply.body.state, "queued");
      await settled(app, reply.body.id);
      const mail = smtp.to("john@example.com")[0]?.parsed;
      assert.equal(mail?.subject, "Your invitation to join Acme & Sons on Chatter");
      assert.match(mail?.text ?? "", /^Hi John,/);
    });

    it("refuses what cannot or may not be sent: 400 naming channel, 409 with the reason", async () => {
      const noEmail = await app.ctx.users.create(person({ firstName: "Ana", email: null }), cliActor());
      const bad = await api(app, key, "POST", `/users/${noEmail.id}/invitation/send`, { channel: "fax" });
      assert.equal(bad.status, 400);
      assert.ok(bad.body.errors.channel);
      const missing = await api(app, key, "POST", `/users/${noEmail.id}/invitation/send`, {});
      assert.equal(missing.status, 400);
      assert.ok(missing.body.errors.channel);

      const email = await api(app, key, "POST", `/users/${noEmail.id}/invitation/send`, { channel: "email" });
      assert.equal(email.status, 409);
      assert.match(email.body.detail, /has no email address/);
      const sms = await api(app, key, "POST", `/users/${noEmail.id}/invitation/send`, { channel: "sms" });
      assert.equal(sms.status, 409);
      assert.match(sms.body.detail, /no mobile phone/);

      // A phone without consent (data from before consent was required) never gets an SMS.
      await app.ctx.db("users").where({ id: noEmail.id }).update({ phone: "+34600000999", phone_consent: false });
      const noConsent = await api(app, key, "POST", `/users/${noEmail.id}/invitation/send`, { channel: "sms" });
      assert.equal(noConsent.status, 409);
      assert.match(noConsent.body.detail, /consent/);

      const gone = await app.ctx.users.create(person({ firstName: "Eva", email: "eva@example.com" }), cliActor());
      await app.ctx.users.deactivate(gone.id, cliActor());
      assert.equal((await api(app, key, "POST", `/users/${gone.id}/invitation/send`, { channel: "email" })).status, 409);
      const joined = await app.ctx.users.create(person({ firstName: "Joe", email: "joe@example.com" }), cliActor());
      await app.ctx.users.join(joined.id, "link", cliActor());
      assert.equal((await api(app, key, "POST", `/users/${joined.id}/invitation/send`, { channel: "email" })).status, 409);

      assert.equal((await api(app, key, "POST", "/users/999999/invitation/send", { channel: "email" })).status, 404);
      const page = await desk.post(`/users/${noEmail.id}/invitation/send`, { channel: "email" });
      assert.equal(page.status, 303, page.text.slice(0, 300));
      assert.equal(page.headers.get("location"), `/users/${noEmail.id}?done=invitation-send-refused`);
      assert.equal((await app.notify.deliveriesFor(noEmail.id)).length, 0);
    });

    it("fails a refused recipient at once, lists it on Deliveries and resends it", async () => {
      smtp.reject.add("bounce@example.com");
      const user = await app.ctx.users.create(person({ firstName: "Bea", email: "bounce@example.com" }), cliActor());
      const delivery = await app.notify.invitations.send(user.id, "email", cliActor());
      const failed = await settled(app, delivery.id, "failed");
      assert.equal(failed.attempts, 1, "a 550 is final: no retries");
      assert.match(failed.lastError ?? "", /550/);
      // The event follows the state change: it is recorded a moment later.
      await waitFor("invitation.failed in the history", async () =>
        (await app.ctx.audit.forTarget("user", user.id)).some((h) => h.action === "invitation.failed"),
      );

      const list = await desk.get("/deliveries?state=failed");
      assert.equal(list.status, 200);
      assert.match(list.text, /bounce@example\.com/);
      assert.match(list.text, /550/);
      assert.match(list.text, new RegExp(`action="/deliveries/${delivery.id}/resend"`));
      assert.doesNotMatch(list.text, /lucia@example\.com/, "the filter keeps sent ones out");

      smtp.reject.clear();
      const res = await desk.post(`/deliveries/${delivery.id}/resend`, { back: "/deliveries?state=failed" });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), "/deliveries?state=failed&done=resent");
      const [fresh] = await app.notify.deliveriesFor(user.id);
      assert.ok(fresh && fresh.id !== delivery.id, "an invitation is resent as a fresh message");
      await settled(app, fresh.id);
      assert.equal(smtp.to("bounce@example.com").length, 1);
      assert.equal((await app.notify.outbox.get(delivery.id)).state, "failed", "the old one stays in the record");
      const all = await desk.get("/deliveries");
      assert.match(all.text, /Sent/);
    });

    it("fails a queued invitation when the person is deactivated before it goes out", async () => {
      await app.notify.worker.stop(3_000);
      try {
        const user = await app.ctx.users.create(person({ firstName: "Iker", email: "iker@example.com" }), cliActor());
        const delivery = await app.notify.invitations.send(user.id, "email", cliActor());
        await app.ctx.users.deactivate(user.id, cliActor());
        const d = await app.notify.outbox.get(delivery.id);
        assert.equal(d.state, "failed");
        assert.match(d.lastError ?? "", /deactivated/);
      } finally {
        app.notify.worker.start();
      }
    });
  });

  describe(`outbox: retries and restarts (${dialect})`, () => {
    it("forgets the address and content of an erased person's messages", async () => {
      const database = await freshDatabase(dialect);
      const app = await startNotifyApp(database, {}, { worker: false });
      try {
        const user = await app.ctx.users.create(person({ email: "erase-me@example.com" }), cliActor());
        const delivery = await app.notify.invitations.send(user.id, "email", cliActor());
        await app.ctx.users.erase(user.id, cliActor());
        const row = await app.ctx.db("outbox").where({ id: delivery.id }).first();
        assert.equal(row.user_id, null);
        assert.equal(row.recipient, "(erased)");
        assert.equal(row.payload, "{}");
        assert.equal(row.state, "failed");
        assert.equal((await app.notify.outbox.get(delivery.id)).summary, "(erased)");
      } finally {
        await app.stop();
        await database.drop();
      }
    });

    it("keeps the message queued with the error while SMTP is down, and sends it once it is back", async () => {
      const database = await freshDatabase(dialect);
      const smtp = new SmtpCapture(await freePort());
      const app = await startNotifyApp(database, { SMTP_URL: smtp.url, OUTBOX_RETRY_SECONDS: "1" });
      try {
        const user = await app.ctx.users.create(person({ email: "wait@example.com" }), cliActor());
        const delivery = await app.notify.invitations.send(user.id, "email", cliActor());
        const waiting = await waitFor("a failed first attempt", async () => {
          const d = await app.notify.outbox.get(delivery.id);
          return d.attempts >= 1 && d.state === "queued" && d.lastError ? d : undefined;
        });
        assert.match(waiting.lastError ?? "", /ECONNREFUSED|connect/i);
        assert.ok(waiting.nextAttemptAt);
        assert.equal(smtp.mails.length, 0);

        await smtp.listen();
        const sent = await settled(app, delivery.id);
        assert.ok(sent.attempts >= 2);
        assert.equal(sent.lastError, null);
        assert.equal(smtp.to("wait@example.com").length, 1);
      } finally {
        await app.stop();
        await smtp.close();
        await database.drop();
      }
    });

    it("sends what was queued before a restart exactly once, and takes over claims whose lease ran out", async () => {
      const database = await freshDatabase(dialect);
      const smtp = await SmtpCapture.start();
      const env = { SMTP_URL: smtp.url };
      let app = await startNotifyApp(database, env, { worker: false });
      let queued: Delivery;
      let crashed: Delivery;
      let leased: Delivery;
      try {
        const ids = [];
        for (const [first, email] of [
          ["Queued", "queued@example.com"],
          ["Crashed", "crashed@example.com"],
          ["Leased", "leased@example.com"],
        ] as const) {
          ids.push((await app.ctx.users.create(person({ firstName: first, email }), cliActor())).id);
        }
        queued = await app.notify.invitations.send(ids[0] as number, "email", cliActor());
        crashed = await app.notify.invitations.send(ids[1] as number, "email", cliActor());
        leased = await app.notify.invitations.send(ids[2] as number, "email", cliActor());
        // An instance that died mid-send (lease over), and one still sending (lease running).
        const now = Date.now();
        await app.ctx
          .db("outbox")
          .where({ id: crashed.id })
          .update({ state: "sending", claimed_by: "dead-host:1:x:1", attempts: 1, next_attempt_at: now - 1 });
        await app.ctx
          .db("outbox")
          .where({ id: leased.id })
          .update({ state: "sending", claimed_by: "live-host:2:y:1", attempts: 1, next_attempt_at: now + 600_000 });
      } finally {
        await app.stop();
      }
      assert.equal(smtp.mails.length, 0);

      app = await startNotifyApp(database, env);
      try {
        await settled(app, queued.id);
        await settled(app, crashed.id);
        assert.equal(smtp.to("queued@example.com").length, 1);
        assert.equal(smtp.to("crashed@example.com").length, 1);
        const stillLeased = await app.notify.outbox.get(leased.id);
        assert.equal(stillLeased.state, "sending", "another instance's live claim is left alone");
        assert.equal(smtp.to("leased@example.com").length, 0);
        // One more cycle changes nothing: nothing goes out twice.
        await app.notify.worker.runOnce();
        assert.equal(smtp.mails.length, 2);
      } finally {
        await app.stop();
        await smtp.close();
        await database.drop();
      }
    });

    it("writes .eml files to DATA_DIR/outbox without SMTP_URL", async () => {
      const database = await freshDatabase(dialect);
      const app = await startNotifyApp(database, {});
      try {
        const user = await app.ctx.users.create(person({ email: "file@example.com", language: "en" }), cliActor());
        const invitation = await app.ctx.invitations.current(user.id);
        const delivery = await app.notify.invitations.send(user.id, "email", cliActor());
        // Written to a file, nobody received it: "saved", never "sent", and no invitation.sent.
        await settled(app, delivery.id, "saved");
        // The event follows the state's update: waited for, not assumed.
        const audit = await waitFor("the invitation.kept audit entry", async () =>
          app.ctx.db("audit_log").where({ action: "invitation.kept" }).first(),
        );
        assert.match(audit.summary, /was saved as a file — no mail server set up/);
        assert.equal(await app.ctx.db("audit_log").where({ action: "invitation.sent" }).first(), undefined);
        const file = path.join(database.dataDir, "outbox", `message-${delivery.id}.eml`);
        assert.ok(existsSync(file), `${file} exists`);
        const mail = await simpleParser(readFileSync(file));
        assert.equal(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : null, "file@example.com");
        assert.match(mail.subject ?? "", /^Your invitation to join/);
        assert.ok(mail.text?.includes(invitation.url));
        assert.ok(mail.attachments.some((a) => a.contentType === "image/png" && a.cid));
      } finally {
        await app.stop();
        await database.drop();
      }
    });
  });

  describe(`outbox: SMS providers (${dialect})`, () => {
    it("webhook: signed POST of {to, body, userId}; a 503 is retried; the answer's id is kept", async () => {
      const database = await freshDatabase(dialect);
      const hook = await HttpCapture.start();
      hook.respond = (_req, i) => (i === 0 ? { status: 503, body: { error: "busy" } } : { status: 200, body: { id: "hook-42" } });
      const app = await startNotifyApp(database, {
        SMS_PROVIDER: "webhook",
        SMS_WEBHOOK_URL: `${hook.url}/sms`,
        SECRET_KEY,
        OUTBOX_RETRY_SECONDS: "1",
      });
      try {
        await app.ctx.settings.update({ organizationName: "Acme", appName: "Chatter" }, cliActor());
        const user = await app.ctx.users.create(person({ phone: "+34600111222", phoneConsent: true }), cliActor());
        const invitation = await app.ctx.invitations.current(user.id);
        const key = await createApiKey(app.ctx, ["invitations"]);
        const reply = await api(app, key, "POST", `/users/${user.id}/invitation/send`, { channel: "sms" });
        assert.equal(reply.status, 202, JSON.stringify(reply.body));
        assert.equal(reply.body.channel, "sms");
        const sent = await settled(app, reply.body.id);
        assert.equal(sent.providerId, "hook-42");
        assert.equal(sent.attempts, 2);
        assert.equal(hook.requests.length, 2);

        const req = hook.requests[1] as (typeof hook.requests)[number];
        assert.equal(req.method, "POST");
        assert.equal(req.url, "/sms");
        const timestamp = String(req.headers["x-invite-timestamp"]);
        assert.match(timestamp, /^\d{10}$/);
        const expected = `sha256=${createHmac("sha256", SECRET_KEY).update(`${timestamp}.${req.body}`).digest("hex")}`;
        assert.equal(req.headers["x-invite-signature"], expected);
        const body = JSON.parse(req.body);
        assert.deepEqual(Object.keys(body).sort(), ["body", "to", "userId"]);
        assert.equal(body.to, "+34600111222");
        assert.equal(body.userId, user.id);
        assert.equal(body.body, `Acme: te invitamos a Chatter: ${invitation.url}`);
        assert.ok(smsSize(body.body).fitsOne);
      } finally {
        await app.stop();
        await hook.close();
        await database.drop();
      }
    });

    it("twilio: the Messages API with basic auth and form fields; the sid lands in provider_id", async () => {
      const database = await freshDatabase(dialect);
      const twilio = await HttpCapture.start();
      const sid = `SM${"ab".repeat(16)}`;
      twilio.respond = () => ({ status: 201, body: { sid, status: "queued" } });
      const app = await startNotifyApp(database, {
        SMS_PROVIDER: "twilio",
        TWILIO_ACCOUNT_SID: TWILIO_SID,
        TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
        TWILIO_FROM: "+15005550006",
        TWILIO_BASE_URL: twilio.url,
      });
      try {
        const user = await app.ctx.users.create(
          person({ firstName: "Mary", language: "en", phone: "+34600333444", phoneConsent: true }),
          cliActor(),
        );
        const invitation = await app.ctx.invitations.current(user.id);
        const delivery = await app.notify.invitations.send(user.id, "sms", cliActor());
        const sent = await settled(app, delivery.id);
        assert.equal(sent.providerId, sid);
        const req = twilio.requests[0] as (typeof twilio.requests)[number];
        assert.equal(req.method, "POST");
        assert.equal(req.url, `/2010-04-01/Accounts/${TWILIO_SID}/Messages.json`);
        assert.equal(req.headers.authorization, `Basic ${Buffer.from(`${TWILIO_SID}:${TWILIO_TOKEN}`).toString("base64")}`);
        assert.match(String(req.headers["content-type"]), /^application\/x-www-form-urlencoded/);
        const form = new URLSearchParams(req.body);
        assert.equal(form.get("To"), "+34600333444");
        assert.equal(form.get("From"), "+15005550006");
        assert.equal(form.get("Body"), `Acme Logistics: join us on Chatter: ${invitation.url}`);
      } finally {
        await app.stop();
        await twilio.close();
        await database.drop();
      }
    });
  });
}

describe("outbox: rules without a database", () => {
  it("backs off from OUTBOX_RETRY_SECONDS: 1 min, 5 min, 30 min, 2 h, 6 h, then gives up", () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(n, 60)),
      [60_000, 300_000, 1_800_000, 7_200_000, 21_600_000, null],
    );
  });

  it("fits the SMS in one GSM-7 message when the alphabet allows", () => {
    const link = `https://invite.example.com/i/${"A".repeat(43)}`;
    const long = "Ayuntamiento de la Muy Noble y Muy Leal Ciudad de Santa Cruz de Tenerife y su Comarca";
    const text = pickSmsText([`${long}: te invitamos a Chatter: ${link}`, `${long}: te invitamos: ${link}`, `Ayto...: ${link}`]);
    assert.ok(smsSize(text).fitsOne);
    assert.equal(smsSize("ñandú €").encoding, "UCS-2");
    assert.equal(smsSize("año €").units, 6);
  });

  it("the log provider logs the masked recipient and the length, never the text", async () => {
    let out = "";
    const sink = new Writable({
      write(chunk, _enc, cb) {
        out += String(chunk);
        cb();
      },
    });
    const provider = new LogSmsProvider(pino({ level: "info" }, sink));
    const body = "Acme: join us on Chatter: https://x.example/i/SECRETTOKEN";
    const { providerId } = await provider.send({ to: "+34600111222", body, userId: 1 });
    assert.match(providerId ?? "", /^log-/);
    assert.ok(!out.includes("SECRETTOKEN") && !out.includes("Chatter"), out);
    assert.ok(!out.includes("600111222"), "the number is masked");
    assert.match(out, new RegExp(`"length":${body.length}`));
  });

  it("requires the Twilio variables only with SMS_PROVIDER=twilio, naming the missing one", () => {
    const base = { DATA_DIR: mkdtempSync(path.join(tmpdir(), "invst-config-")), SECRET_KEY };
    assert.doesNotThrow(() => loadConfig({ ...base, TWILIO_ACCOUNT_SID: "nonsense" }));
    assert.throws(
      () => loadConfig({ ...base, SMS_PROVIDER: "twilio", TWILIO_AUTH_TOKEN: TWILIO_TOKEN, TWILIO_FROM: "+15005550006" }),
      (err: Error) => err instanceof ConfigError && /TWILIO_ACCOUNT_SID/.test(err.message) && !/TWILIO_FROM/.test(err.message),
    );
    const ok = loadConfig({
      ...base,
      SMS_PROVIDER: "twilio",
      TWILIO_ACCOUNT_SID: TWILIO_SID,
      TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
      TWILIO_FROM: "+15005550006",
    });
    assert.equal(ok.twilio?.baseUrl, "https://api.twilio.com");
  });
});
