import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { ValidationError } from "../../server/core/errors.js";
import { cliActor } from "../../server/core/events.js";
import type { UserInput } from "../../server/people/users.schema.js";
import { ADMIN_PASSWORD, createStaff } from "../support/app.js";
import { PageClient } from "../support/browser-client.js";
import { dialects, freshDatabase, type TestDatabase } from "../support/databases.js";
import { type CapturedRequest, HttpCapture } from "../support/http-capture.js";
import { type NotifyTestApp, startNotifyApp, waitFor } from "../support/notify-app.js";
import { personInput } from "../support/people.js";
import { SmtpCapture } from "../support/smtp-capture.js";

const SECRET = "webhook-test-secret-0123456789";

const person = (over: Partial<UserInput> = {}): UserInput =>
  personInput({ firstName: "Lucía", lastName: "García", email: "lucia@example.com", language: "es", ...over });

/** What a receiver does: recompute the HMAC of "<timestamp>.<raw body>" with its secret. */
function signatureIsValid(req: CapturedRequest, secret: string): boolean {
  const timestamp = String(req.headers["x-invite-timestamp"] ?? "");
  const expected = `sha256=${createHmac("sha256", secret).update(`${timestamp}.${req.body}`).digest("hex")}`;
  return req.headers["x-invite-signature"] === expected && Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
}

for (const dialect of await dialects()) {
  describe(`webhooks (${dialect})`, () => {
    let database: TestDatabase;
    let receiver: HttpCapture;
    let app: NotifyTestApp;
    let smtp: SmtpCapture;

    before(async () => {
      database = await freshDatabase(dialect);
      receiver = await HttpCapture.start();
      // Invitation emails go to a mail server; SMS to the receiver, which refuses them.
      smtp = await SmtpCapture.start();
      app = await startNotifyApp(database, {
        SMTP_URL: smtp.url,
        OUTBOX_RETRY_SECONDS: "1",
        SMS_PROVIDER: "webhook",
        SMS_WEBHOOK_URL: `${receiver.url}/sms`,
      });
    });

    after(async () => {
      await app?.stop();
      await receiver?.close();
      await smtp?.close();
      await database?.drop();
    });

    it("delivers user.created and user.joined, signed, and leaves out unsubscribed events", async () => {
      const { webhook, secret } = await app.ctx.webhooks.create(
        { url: `${receiver.url}/hooks/a`, secret: SECRET, events: ["user.created", "user.joined"] },
        cliActor(),
      );
      assert.equal(secret, SECRET);
      const user = await app.ctx.users.create(person(), cliActor());
      await app.ctx.users.join(user.id, "link", cliActor());
      const got = await waitFor("two deliveries", async () => (receiver.requests.length >= 2 ? receiver.requests : undefined));
      const byEvent = new Map(got.map((r) => [r.headers["x-invite-event"], r]));
      for (const event of ["user.created", "user.joined"]) {
        const req = byEvent.get(event);
        assert.ok(req, `${event} delivered`);
        assert.equal(req.method, "POST");
        assert.equal(req.url, "/hooks/a");
        assert.ok(signatureIsValid(req, SECRET), `${event} signature`);
        assert.equal(signatureIsValid(req, "some-other-secret-value"), false);
        const body = JSON.parse(req.body);
        assert.equal(body.event, event);
        assert.equal(body.data.userId, user.id);
        assert.match(body.occurredAt, /^\d{4}-\d\d-\d\dT/);
        assert.equal(typeof body.id, "string");
        // Ids only: no names or addresses travel.
        assert.doesNotMatch(req.body, /Lucía|García|lucia@example\.com/);
        const deliveryId = Number(req.headers["x-invite-delivery"]);
        await waitFor("sent state", async () => (await app.notify.outbox.get(deliveryId)).state === "sent");
      }
      const log = await app.ctx.webhooks.deliveries(webhook.id);
      assert.deepEqual(log.map((d) => d.event).sort(), ["user.created", "user.joined"]);
      // Exactly the two subscribed events went out, once each.
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(receiver.requests.length, 2);
      await app.ctx.webhooks.remove(webhook.id, cliActor());
    });

    it("does not send an event no webhook subscribed to, nor to a disabled webhook", async () => {
      const start = receiver.requests.length;
      const joinedOnly = await app.ctx.webhooks.create({ url: `${receiver.url}/hooks/b`, events: ["user.joined"] }, cliActor());
      const disabled = await app.ctx.webhooks.create({ url: `${receiver.url}/hooks/c`, events: ["user.created"] }, cliActor());
      assert.ok(joinedOnly.secret.length >= 16, "a secret is generated when none is given");
      await app.ctx.webhooks.setActive(disabled.webhook.id, false, cliActor());
      await app.ctx.users.create(person({ email: "b@example.com" }), cliActor());
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(receiver.requests.length, start);
      assert.deepEqual(await app.ctx.webhooks.deliveries(joinedOnly.webhook.id), []);
      assert.deepEqual(await app.ctx.webhooks.deliveries(disabled.webhook.id), []);
      await app.ctx.webhooks.remove(joinedOnly.webhook.id, cliActor());
      await app.ctx.webhooks.remove(disabled.webhook.id, cliActor());
    });

    it("retries a delivery the receiver answered 500 and delivers it later", async () => {
      const start = receiver.requests.length;
      let refusals = 0;
      receiver.respond = (req) => {
        if (req.url === "/hooks/flaky" && refusals < 1) {
          refusals++;
          return { status: 500, body: { error: "down" } };
        }
        return { status: 200, body: {} };
      };
      const { webhook } = await app.ctx.webhooks.create(
        { url: `${receiver.url}/hooks/flaky`, secret: SECRET, events: ["user.created"] },
        cliActor(),
      );
      await app.ctx.users.create(person({ email: "flaky@example.com" }), cliActor());
      const [failedOnce] = await waitFor("the first attempt to fail", async () => {
        const log = await app.ctx.webhooks.deliveries(webhook.id);
        return log[0]?.lastError ? log : undefined;
      });
      assert.match(failedOnce?.lastError ?? "", /500/);
      const [sent] = await waitFor("the retry to succeed", async () => {
        const log = await app.ctx.webhooks.deliveries(webhook.id);
        return log[0]?.state === "sent" ? log : undefined;
      });
      assert.equal(sent?.attempts, 2);
      const attempts = receiver.requests.slice(start).filter((r) => r.url === "/hooks/flaky");
      assert.equal(attempts.length, 2);
      // The same delivery (same body and id), signed afresh each time.
      assert.equal(attempts[0]?.body, attempts[1]?.body);
      assert.equal(attempts[0]?.headers["x-invite-delivery"], attempts[1]?.headers["x-invite-delivery"]);
      for (const a of attempts) assert.ok(signatureIsValid(a, SECRET));
      await app.ctx.webhooks.remove(webhook.id, cliActor());
    });

    it("delivers invitation.sent and invitation.failed with the delivery's ids", async () => {
      receiver.respond = (req) => (req.url === "/sms" ? { status: 400, body: { error: "refused" } } : { status: 200, body: {} });
      const { webhook } = await app.ctx.webhooks.create(
        { url: `${receiver.url}/hooks/invitations`, secret: SECRET, events: ["invitation.sent", "invitation.failed"] },
        cliActor(),
      );
      const user = await app.ctx.users.create(
        person({ email: "invitee@example.com", phone: "+34600111222", phoneConsent: true }),
        cliActor(),
      );
      const email = await app.notify.invitations.send(user.id, "email", cliActor());
      const sms = await app.notify.invitations.send(user.id, "sms", cliActor());
      const got = await waitFor("both invitation events", async () => {
        const hits = receiver.requests.filter((r) => r.url === "/hooks/invitations");
        return hits.length >= 2 ? hits : undefined;
      });
      const byEvent = new Map(got.map((r) => [r.headers["x-invite-event"], JSON.parse(r.body)]));
      assert.deepEqual(byEvent.get("invitation.sent")?.data, { userId: user.id, channel: "email", deliveryId: email.id });
      assert.deepEqual(byEvent.get("invitation.failed")?.data, { userId: user.id, channel: "sms", deliveryId: sms.id });
      for (const r of got) assert.ok(signatureIsValid(r, SECRET));
      assert.doesNotMatch(got.map((r) => r.body).join(""), /invitee@example|600111222/);
      await app.ctx.webhooks.remove(webhook.id, cliActor());
    });

    it("names the field of each validation error", async () => {
      const fields = async (input: Parameters<typeof app.ctx.webhooks.create>[0]) => {
        try {
          await app.ctx.webhooks.create(input, cliActor());
        } catch (err) {
          assert.ok(err instanceof ValidationError);
          return Object.keys(err.fields).sort();
        }
        assert.fail("accepted invalid input");
      };
      assert.deepEqual(await fields({ url: "ftp://example.com/x", secret: SECRET, events: ["user.created"] }), ["url"]);
      assert.deepEqual(await fields({ url: "not a url", secret: SECRET, events: ["user.created"] }), ["url"]);
      assert.deepEqual(await fields({ url: "https://example.com/x", secret: "short", events: ["user.created"] }), ["secret"]);
      assert.deepEqual(await fields({ url: "https://example.com/x", secret: SECRET, events: ["user.exploded"] }), ["events"]);
      assert.deepEqual(await fields({ url: "https://example.com/x", secret: SECRET, events: [] }), ["events"]);
      assert.deepEqual(await fields({ url: "", secret: "x", events: [] }), ["events", "secret", "url"]);
    });

    it("shows the Webhooks page to admins only", async () => {
      await createStaff(app.ctx, "admin");
      await createStaff(app.ctx, "frontdesk");
      const desk = new PageClient(app.url);
      await desk.signIn("frontdesk@example.com", ADMIN_PASSWORD);
      assert.equal((await desk.get("/admin/webhooks")).status, 403);

      const admin = new PageClient(app.url);
      await admin.signIn("admin@example.com", ADMIN_PASSWORD);
      const page = await admin.get("/admin/webhooks");
      assert.equal(page.status, 200);
      assert.match(page.text, /New webhook/);
      const bad = await admin.post("/admin/webhooks", { url: "ftp://x", secret: "short", events: "user.created" });
      assert.equal(bad.status, 400);
      assert.match(bad.text, /id="url-error"/);
      assert.match(bad.text, /id="secret-error"/);
      await admin.get("/admin/webhooks");
      const made = await admin.post("/admin/webhooks", { url: `${receiver.url}/hooks/page`, secret: "", events: "user.joined" });
      assert.equal(made.status, 201);
      assert.match(made.text, /shown only this once/);
      assert.match(made.text, /hooks\/page/);
    });
  });
}
