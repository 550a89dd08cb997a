import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cliActor } from "../../server/core/events.js";
import type { UserInput } from "../../server/people/users.schema.js";
import { OTP_MAX_TRIES, type PhoneOtpService } from "../../server/registrations/phone-otp.service.js";
import { assertProblem, call } from "../support/api-client.js";
import { createApiKey, startTestApp, type TestApp } from "../support/app.js";
import { dialects } from "../support/databases.js";
import { HttpCapture } from "../support/http-capture.js";
import { personInput } from "../support/people.js";

/** A POST with a JSON body (or another content type), as the messaging platform makes it. */
const post = (app: TestApp, path: string, key: string | null, body: unknown, contentType = "application/json") =>
  call(app, "POST", path, { key, raw: JSON.stringify(body), contentType });

let serial = 0;
/** A distinct valid US mobile-style number per call (+1 202 555 01xx is valid for libphonenumber). */
const nextPhone = () => `+1202555${String(1000 + (++serial % 9000)).padStart(4, "0")}`;
const person = (fields: Partial<UserInput> = {}): UserInput =>
  personInput({ firstName: "Pablo", lastName: `Teléfono ${++serial}`, language: "es", ...fields });

async function waitFor<T>(probe: () => T | undefined, what: string, ms = 8_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

for (const dialect of await dialects()) {
  describe(`phone matching API (${dialect})`, () => {
    let app: TestApp;
    let key: string;
    const match = (body: unknown, k: string | null = key) => post(app, "/registrations/phone", k, body);
    const register = async (fields: Partial<UserInput> = {}) => (await app.ctx.users.create(person(fields), cliActor())).id;

    before(async () => {
      app = await startTestApp(dialect);
      key = await createApiKey(app.ctx, ["registrations"]);
    });
    after(() => app?.stop());

    it("joins the one pending person with consent and answers the user JSON", async () => {
      const phone = nextPhone();
      const id = await register({ phone, phoneConsent: true });
      // Typed differently from how it is stored: normalized to E.164 first.
      const typed = `+1 (${phone.slice(2, 5)}) ${phone.slice(5, 8)}-${phone.slice(8)}`;
      const reply = await match({ phone: typed });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.equal(reply.body.id, id);
      assert.equal(reply.body.status, "active");
      assert.equal(reply.body.phone, phone);
      assert.equal(reply.body.joinedChannel, "phone");
      assert.ok(reply.body.joinedAt?.endsWith("Z"));
      const actions = (await app.ctx.audit.forTarget("user", id)).map((e) => e.action);
      assert.ok(actions.includes("user.joined"), actions.join());
    });

    it("answers 404 when nobody has the number", async () => {
      assertProblem(await match({ phone: nextPhone() }), 404);
    });

    it("never matches a person without consent, an active or a deactivated person", async () => {
      // A number stored without consent cannot be registered; consent withdrawn later keeps no phone either,
      // so the person without consent is made directly in the table.
      const noConsentPhone = nextPhone();
      const noConsent = await register({ phone: noConsentPhone, phoneConsent: true });
      await app.ctx.db("users").where({ id: noConsent }).update({ phone_consent: false });
      assertProblem(await match({ phone: noConsentPhone }), 404);
      assert.equal((await app.ctx.users.get(noConsent)).status, "pending");

      const deactivatedPhone = nextPhone();
      const deactivated = await register({ phone: deactivatedPhone, phoneConsent: true });
      await app.ctx.users.deactivate(deactivated, cliActor());
      assertProblem(await match({ phone: deactivatedPhone }), 404);
      assert.equal((await app.ctx.users.get(deactivated)).status, "deactivated");

      const activePhone = nextPhone();
      const active = await register({ phone: activePhone, phoneConsent: true });
      assert.equal((await match({ phone: activePhone })).status, 200);
      assertProblem(await match({ phone: activePhone }), 404);
      assert.equal((await app.ctx.users.get(active)).joinedChannel, "phone");
    });

    it("answers 400 naming phone for a missing or invalid number, and for unknown fields", async () => {
      for (const body of [
        {},
        { phone: "" },
        { phone: "not a phone" },
        { phone: "+1 202" },
        { phone: 12025550100 },
        { phone: null },
      ]) {
        const reply = await match(body);
        assertProblem(reply, 400);
        assert.deepEqual(Object.keys(reply.body.errors), ["phone"], JSON.stringify(body));
      }
      const extra = await match({ phone: nextPhone(), userId: 1 });
      assertProblem(extra, 400);
      assert.ok(extra.body.errors.userId);
    });

    it("answers 401 without a key and 403 without the registrations scope, joining nobody", async () => {
      const phone = nextPhone();
      const id = await register({ phone, phoneConsent: true });
      const other = await createApiKey(app.ctx, ["users", "invitations"]);
      assertProblem(await match({ phone }, null), 401);
      assertProblem(await match({ phone }, other), 403);
      assert.equal((await app.ctx.users.get(id)).status, "pending");
    });

    it("answers 409 for two matches, joins nobody and alerts the admins without personal data", async () => {
      // users.phone is unique, so two people with one number only happen if that rule is
      // relaxed; this suite's throwaway database drops the constraint to check the answer.
      await app.ctx.db.schema.alterTable("users", (t) => t.dropUnique(["phone"]));
      const phone = nextPhone();
      const a = await register({ phone, phoneConsent: true, lastName: "Uno" });
      const b = await register({ phone: nextPhone(), phoneConsent: true, lastName: "Dos" });
      await app.ctx.db("users").where({ id: b }).update({ phone });

      const reply = await match({ phone });
      assertProblem(reply, 409);
      assert.equal((await app.ctx.users.get(a)).status, "pending");
      assert.equal((await app.ctx.users.get(b)).status, "pending");
      const alerts = await app.ctx.db("audit_log").where({ action: "registration.ambiguous" });
      assert.equal(alerts.length, 1);
      const stored = JSON.stringify(alerts);
      assert.match(stored, /found 2 pending people/);
      for (const secret of [phone, phone.slice(2), "Uno", "Dos", "Pablo"]) assert.ok(!stored.includes(secret), secret);
    });
  });

  describe(`phone join with a one-time SMS code (${dialect})`, () => {
    let app: TestApp;
    let sms: HttpCapture;
    let otp: PhoneOtpService;
    let seen = 0;
    const register = async (fields: Partial<UserInput> = {}) => (await app.ctx.users.create(person(fields), cliActor())).id;
    const actor = cliActor("test");
    /** The next SMS the webhook receives: its recipient and the 6-digit code in its text. */
    const nextSms = async () => {
      const req = await waitFor(() => sms.requests[seen], "the SMS webhook");
      seen++;
      const body = JSON.parse(req.body) as { to: string; body: string; userId: number };
      return { ...body, code: /\b(\d{6})\b/.exec(body.body)?.[1] as string };
    };

    before(async () => {
      sms = await HttpCapture.start();
      app = await startTestApp(dialect, { SMS_PROVIDER: "webhook", SMS_WEBHOOK_URL: `${sms.url}/sms` });
      otp = app.ctx.phoneOtp;
    });
    after(async () => {
      await app?.stop();
      await sms?.close();
    });

    it("texts a code through the SMS webhook, stores only its hash, and the right code joins", async () => {
      const phone = nextPhone();
      const id = await register({ phone, phoneConsent: true });
      await otp.request(phone, "10.0.0.1", actor);
      const text = await nextSms();
      assert.equal(text.to, phone);
      assert.equal(text.userId, id);
      assert.match(text.code, /^\d{6}$/);
      const stored = JSON.stringify([await app.ctx.db("phone_otps").select("*"), await app.ctx.db("outbox").select("*")]);
      assert.ok(!stored.includes(text.code), "the code is stored in the clear");

      const outcome = await otp.verify(phone, text.code, "10.0.0.1", actor);
      assert.ok(outcome.ok);
      const user = await app.ctx.users.get(id);
      assert.equal(user.status, "active");
      assert.equal(user.joinedChannel, "phone");
      // Single use.
      assert.equal((await otp.verify(phone, text.code, "10.0.0.1", actor)).ok, false);
    });

    it("sends nothing for a number without a match, without consent, or of an active person", async () => {
      const noConsent = nextPhone();
      const id = await register({ phone: noConsent, phoneConsent: true });
      await app.ctx.db("users").where({ id }).update({ phone_consent: false });
      await otp.request(noConsent, "10.0.0.2", actor);
      await otp.request(nextPhone(), "10.0.0.2", actor);
      // A matching request afterwards: the webhook's next SMS is for it, so nothing went out before.
      const phone = nextPhone();
      await register({ phone, phoneConsent: true });
      await otp.request(phone, "10.0.0.2", actor);
      assert.equal((await nextSms()).to, phone);
      assert.equal(
        await app.ctx
          .db("phone_otps")
          .whereIn("phone", [noConsent])
          .count({ n: "*" })
          .first()
          .then((r) => Number(r?.n)),
        0,
      );
    });

    it(`refuses the right code after ${OTP_MAX_TRIES} wrong ones`, async () => {
      const phone = nextPhone();
      const id = await register({ phone, phoneConsent: true });
      await otp.request(phone, "10.0.0.3", actor);
      const { code } = await nextSms();
      const wrong = code === "000000" ? "111111" : "000000";
      for (let i = 0; i < OTP_MAX_TRIES; i++) assert.equal((await otp.verify(phone, wrong, "10.0.0.3", actor)).ok, false);
      assert.equal((await otp.verify(phone, code, "10.0.0.3", actor)).ok, false);
      assert.equal((await app.ctx.users.get(id)).status, "pending");
    });

    it("refuses an expired code, and a code replaced by a newer one", async () => {
      const phone = nextPhone();
      const id = await register({ phone, phoneConsent: true });
      await otp.request(phone, "10.0.0.4", actor);
      const first = await nextSms();
      await app.ctx
        .db("phone_otps")
        .where({ phone })
        .update({ expires_at: Date.now() - 1 });
      assert.equal((await otp.verify(phone, first.code, "10.0.0.4", actor)).ok, false);

      await otp.request(phone, "10.0.0.4", actor);
      const second = await nextSms();
      await otp.request(phone, "10.0.0.4", actor);
      const third = await nextSms();
      if (second.code !== third.code) assert.equal((await otp.verify(phone, second.code, "10.0.0.4", actor)).ok, false);
      assert.ok((await otp.verify(phone, third.code, "10.0.0.4", actor)).ok);
      assert.equal((await app.ctx.users.get(id)).status, "active");
    });

    it("limits wrong codes per client (429)", async () => {
      const phone = nextPhone();
      for (let i = 0; i < 20; i++) await otp.verify(phone, "123456", "10.0.0.5", actor);
      await assert.rejects(otp.verify(phone, "123456", "10.0.0.5", actor), { status: 429 });
    });

    it("serves the join site's phone pages", async () => {
      const page = await fetch(`${app.url}/join/phone?lang=en`);
      assert.equal(page.status, 200);
      const html = await page.text();
      const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] as string;
      const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0] as string;
      const post = (path: string, form: Record<string, string>) =>
        fetch(`${app.url}${path}`, {
          method: "POST",
          headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ _csrf: csrf, lang: "en", ...form }),
          redirect: "manual",
        });

      assert.equal((await post("/join/phone", { phone: "nope" })).status, 400);
      const phone = nextPhone();
      const id = await register({ phone, phoneConsent: true, firstName: "Paula", language: "en" });
      const unknown = await (await post("/join/phone", { phone: nextPhone() })).text();
      const known = await post("/join/phone", { phone });
      assert.equal(known.status, 200);
      // The same page whether or not the number matches (only the hidden number differs).
      const strip = (s: string) => s.replace(/name="phone" value="[^"]*"/, "");
      assert.equal(strip(await known.text()), strip(unknown));
      const { code } = await nextSms();
      assert.equal((await post("/join/phone/verify", { phone, code: code === "000000" ? "111111" : "000000" })).status, 400);
      const joined = await post("/join/phone/verify", { phone, code });
      assert.equal(joined.status, 200);
      assert.match(await joined.text(), /Welcome, Paula!/);
      assert.equal((await app.ctx.users.get(id)).joinedChannel, "phone");
    });
  });
}
