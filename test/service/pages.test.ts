import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ADMIN_PASSWORD, createStaff, startTestApp, type TestApp } from "../support/app.js";
import { PageClient } from "../support/browser-client.js";
import { dialects } from "../support/databases.js";

const XSS = `<script>alert("x")</script><img src=x onerror=alert(1)>`;

for (const dialect of await dialects()) {
  describe(`admin pages on ${dialect}`, () => {
    let app: TestApp;
    let admin: PageClient;

    before(async () => {
      app = await startTestApp(dialect);
      await createStaff(app.ctx, "admin");
      await createStaff(app.ctx, "frontdesk");
      admin = new PageClient(app.url);
      await admin.signIn("admin@example.com", ADMIN_PASSWORD);
    });
    after(() => app.stop());

    it("sends signed-out visitors to the sign-in page and back where they were going", async () => {
      const anon = new PageClient(app.url);
      const res = await anon.get("/users?status=pending");
      assert.equal(res.status, 302);
      assert.equal(res.headers.get("location"), "/login?next=%2Fusers%3Fstatus%3Dpending");
    });

    it("serves pages with a CSP that allows no inline script", async () => {
      const res = await admin.get("/users");
      const csp = res.headers.get("content-security-policy") ?? "";
      assert.match(csp, /script-src 'self'/);
      assert.doesNotMatch(csp, /unsafe-inline/);
      assert.doesNotMatch(res.text, /<script>(?!<\/script>)/);
      assert.equal(res.headers.get("x-frame-options"), "SAMEORIGIN");
    });

    it("refuses a form without its CSRF token", async () => {
      await admin.get("/users/new");
      const res = await admin.post("/users", { firstName: "Ann", lastName: "Other" }, false);
      assert.equal(res.status, 403);
      assert.match(res.text, /form has expired/);
      const list = await app.ctx.users.list({ q: "other", sort: "name", dir: "asc", page: 1, pageSize: 10 });
      assert.equal(list.total, 0);
    });

    it("refuses a phone without consent, naming the field and keeping what was typed", async () => {
      await admin.get("/users/new");
      const res = await admin.post("/users", {
        firstName: "Lucía",
        lastName: "García",
        phone: "612 345 678",
        email: "lucia@example.com",
      });
      assert.equal(res.status, 400);
      assert.match(res.text, /explicit consent/);
      assert.match(res.text, /value="Lucía"/);
      assert.match(res.text, /value="612 345 678"/);
    });

    it("refuses an invalid phone number naming the field", async () => {
      await admin.get("/users/new");
      const res = await admin.post("/users", { firstName: "Ana", lastName: "Ruiz", phone: "12", phoneConsent: "on" });
      assert.equal(res.status, 400);
      assert.match(res.text, /id="phone-error">is not a valid phone number/);
    });

    it("registers a person with consent: pending, greyed with a clock, phone in E.164", async () => {
      await admin.get("/users/new");
      const res = await admin.post("/users", {
        firstName: "Lucía",
        lastName: "García",
        phone: "612 345 678",
        phoneConsent: "on",
        email: "Lucia@Example.com",
        department: "Warehouse",
        site: "Madrid",
        language: "es",
      });
      assert.equal(res.status, 303);
      const profile = await admin.get(res.headers.get("location") as string);
      assert.match(profile.text, /Lucía García/);
      assert.match(profile.text, /\+34612345678/);
      assert.match(profile.text, /Invitation pending/);
      assert.match(profile.text, /recorded .* by admin@example\.com/);
      const list = await admin.get("/users?q=garc");
      assert.match(list.text, /<tr class="is-pending">/);
      assert.match(list.text, /avatar-clock/);
      assert.match(list.text, /\(invitation pending\)/);
    });

    it("refuses a duplicate email with a link to the existing person", async () => {
      const existing = await app.ctx.users.list({ q: "lucia@example.com", sort: "name", dir: "asc", page: 1, pageSize: 5 });
      await admin.get("/users/new");
      const res = await admin.post("/users", { firstName: "Other", lastName: "Person", email: "LUCIA@example.com" });
      assert.equal(res.status, 409);
      assert.match(res.text, new RegExp(`href="/users/${existing.items[0]?.id}"`));
    });

    it("shows names with markup as text everywhere", async () => {
      await admin.get("/groups");
      const group = await admin.post("/groups", { name: XSS });
      assert.equal(group.status, 303);
      const groupPath = group.headers.get("location")?.split("?")[0] as string;
      await admin.get("/users/new");
      const created = await admin.post("/users", { firstName: XSS, lastName: XSS, groups: groupPath.split("/").pop() as string });
      assert.equal(created.status, 303);
      for (const path of [created.headers.get("location") as string, "/users", groupPath, "/groups", "/audit"]) {
        const page = await admin.get(path);
        assert.equal(page.status, 200, path);
        assert.doesNotMatch(page.text, /<script>alert/, path);
        assert.doesNotMatch(page.text, /<img src=x/, path);
      }
      const profile = await admin.get(created.headers.get("location") as string);
      assert.match(profile.text, /&lt;script&gt;alert/);
    });

    it("organises people in groups with the not-joined banner", async () => {
      await admin.get("/groups");
      const res = await admin.post("/groups", { name: "Night shift" });
      const groupId = res.headers.get("location")?.match(/\/groups\/(\d+)/)?.[1] as string;
      const people = await app.ctx.users.list({ q: "garcia", sort: "name", dir: "asc", page: 1, pageSize: 5 });
      await admin.get("/users");
      const bulk = await admin.post("/users/bulk", {
        ids: people.items.map((p) => String(p.id)),
        groupId,
        action: "add",
        back: "/users",
      });
      assert.equal(bulk.status, 303);
      const page = await admin.get(`/groups/${groupId}`);
      assert.match(page.text, /1 member has not joined yet and won(&#39;|')t read messages sent to this group/);
      assert.match(page.text, /Lucía García/);
      const dup = await admin.post("/groups", { name: "  night SHIFT " });
      assert.equal(dup.status, 409);
      assert.match(dup.text, /already exists/);
    });

    it("edits, deactivates and erases a person, keeping an anonymised audit trail", async () => {
      await admin.get("/users/new");
      const created = await admin.post("/users", {
        firstName: "Temp",
        lastName: "Worker",
        email: "temp@example.com",
        employeeId: "E-900",
      });
      const path = created.headers.get("location")?.split("?")[0] as string;
      const id = Number(path.split("/").pop());
      await admin.get(`${path}/edit`);
      const edited = await admin.post(path, {
        firstName: "Temp",
        lastName: "Worker-Smith",
        email: "temp@example.com",
        employeeId: "E-900",
        language: "en",
      });
      assert.equal(edited.status, 303);
      assert.match((await admin.get(path)).text, /Worker-Smith/);
      await admin.post(`${path}/deactivate`, {});
      assert.match((await admin.get(path)).text, /badge-deactivated/);
      const erased = await admin.post(`${path}/erase`, {});
      assert.equal(erased.status, 303);
      assert.equal((await admin.get(path)).status, 404);
      const audit = await app.ctx.audit.forTarget("user", id);
      assert.deepEqual(
        audit.map((a) => a.action),
        ["user.erased", "user.deactivated", "user.updated", "user.created"],
      );
      assert.ok(
        audit.every((a) => !/Temp|Worker|temp@example/.test(a.summary)),
        "audit summaries carry no personal data",
      );
    });

    it("gives the front desk a 403 on admin pages", async () => {
      const desk = new PageClient(app.url);
      await desk.signIn("frontdesk@example.com", ADMIN_PASSWORD);
      assert.equal((await desk.get("/users")).status, 200);
      assert.equal((await desk.get("/admin/accounts")).status, 403);
      assert.equal((await desk.get("/audit")).status, 403);
      assert.equal((await desk.get("/admin/api-keys")).status, 403);
    });

    it("creates an API key shown once, stored hashed, that works and can be revoked", async () => {
      await admin.get("/admin/api-keys");
      const res = await admin.post("/admin/api-keys", { name: "HR sync", scopes: ["users", "groups"] });
      assert.equal(res.status, 201);
      const key = /isk_[\w-]{8}_[\w-]{43}/.exec(res.text)?.[0] as string;
      assert.ok(key);
      const stored = await app.ctx.db("api_keys").select("key_hash").first();
      assert.notEqual(stored.key_hash, key);
      assert.equal((await fetch(`${app.url}/api/v1/users`, { headers: { authorization: `Bearer ${key}` } })).status, 200);
      const list = await admin.get("/admin/api-keys");
      assert.doesNotMatch(list.text, new RegExp(key));
      const id = (await app.ctx.apiKeys.list())[0]?.id;
      await admin.post(`/admin/api-keys/${id}/revoke`, {});
      assert.equal((await fetch(`${app.url}/api/v1/users`, { headers: { authorization: `Bearer ${key}` } })).status, 401);
    });

    it("saves the organization settings and names each invalid field", async () => {
      await admin.get("/admin/settings");
      const form = {
        organizationName: "Acme Logistics",
        defaultCountry: "gb",
        frontDeskContact: "Reception, ext. 200",
        inviteTtlDays: "14",
        reminderDays: "2",
        reminderLimit: "1",
        appName: "Ommnio",
        appStoreUrl: "https://apps.example.com/ommnio",
        playStoreUrl: "",
        appScheme: "ommnio",
      };
      const bad = await admin.post("/admin/settings", { ...form, reminderDays: "", appStoreUrl: "http://insecure.example.com" });
      assert.equal(bad.status, 400);
      assert.match(bad.text, /id="reminderDays-error"/);
      assert.match(bad.text, /value="Acme Logistics"/, "what was typed stays");
      assert.equal((await app.ctx.settings.get()).organizationName, "Acme Logistics", "nothing saved");
      const ok = await admin.post("/admin/settings", form);
      assert.equal(ok.status, 303);
      const saved = await app.ctx.settings.get();
      assert.equal(saved.organizationName, "Acme Logistics");
      assert.equal(saved.defaultCountry, "GB");
      assert.equal(saved.inviteTtlDays, 14);
      assert.equal(saved.reminderDays, 2);
      assert.equal(saved.appScheme, "ommnio");
      const invalidUrl = await admin.post("/admin/settings", { ...form, appStoreUrl: "http://insecure.example.com" });
      assert.equal(invalidUrl.status, 400);
      assert.match(invalidUrl.text, /must be an https:\/\/ address/);
    });

    it("answers an oversized form or API body with 413", async () => {
      await admin.get("/users/new");
      const res = await admin.post("/users", { firstName: "x".repeat(400_000), lastName: "y" });
      assert.equal(res.status, 413);
      const api = await fetch(`${app.url}/api/v1/users`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ firstName: "x".repeat(2_000_000) }),
      });
      assert.equal(api.status, 413);
      assert.match(api.headers.get("content-type") ?? "", /problem\+json/);
    });
  });

  describe(`sign-in and first-run setup on ${dialect}`, () => {
    let app: TestApp;
    before(async () => {
      app = await startTestApp(dialect);
    });
    after(() => app.stop());

    it("creates the first admin through the one-time setup link, once", async () => {
      const token = (await app.ctx.admins.issueSetupToken()) as string;
      const client = new PageClient(app.url);
      assert.equal((await client.get(`/setup/${token}`)).status, 200);
      const weak = await client.post(`/setup/${token}`, {
        name: "Root",
        email: "root@example.com",
        password: "short",
        passwordConfirm: "short",
      });
      assert.equal(weak.status, 400);
      assert.match(weak.text, /at least 12 characters/);
      const mismatch = await client.post(`/setup/${token}`, {
        name: "Root Ñúñez",
        email: "root@example.com",
        password: ADMIN_PASSWORD,
        passwordConfirm: `${ADMIN_PASSWORD}!`,
      });
      assert.equal(mismatch.status, 400);
      // Name and email are kept, the wrong field is named, and no password comes back in the page.
      assert.match(mismatch.text, /id="name" name="name" type="text" autocomplete="name" value="Root Ñúñez"/);
      assert.match(mismatch.text, /value="root@example\.com"/);
      assert.match(mismatch.text, /The two passwords differ/);
      assert.match(mismatch.text, /id="passwordConfirm-error"|passwordConfirm[^>]*aria-invalid="true"/);
      assert.ok(!mismatch.text.includes(ADMIN_PASSWORD), "no password echoed into the page");
      const ok = await client.post(`/setup/${token}`, {
        name: "Root",
        email: "root@example.com",
        password: ADMIN_PASSWORD,
        passwordConfirm: ADMIN_PASSWORD,
      });
      assert.equal(ok.status, 303);
      assert.equal((await client.get("/users")).status, 200);
      const again = new PageClient(app.url);
      assert.equal((await again.get(`/setup/${token}`)).status, 410);
      assert.equal(await app.ctx.admins.issueSetupToken(), null);
    });

    it("stores passwords hashed with scrypt", async () => {
      const row = await app.ctx.db("admins").where({ email_normalized: "root@example.com" }).first();
      assert.match(row.password_hash, /^scrypt\$32768\$8\$1\$/);
      assert.ok(!row.password_hash.includes(ADMIN_PASSWORD));
    });

    it("rate-limits failed sign-ins with a clear message", async () => {
      const client = new PageClient(app.url);
      await client.get("/login");
      for (let i = 0; i < 5; i++) {
        const res = await client.post("/login", { email: "root@example.com", password: `wrong password ${i}` });
        assert.equal(res.status, 401);
        assert.match(res.text, /Email or password is not right/);
      }
      const blocked = await client.post("/login", { email: "root@example.com", password: ADMIN_PASSWORD });
      assert.equal(blocked.status, 429);
      assert.match(blocked.text, /Too many failed sign-in attempts/);
      assert.ok(Number(blocked.headers.get("retry-after")) > 0);
    });

    it("sets the session cookie httpOnly and SameSite, and ends the session at sign-out", async () => {
      const login = await fetch(`${app.url}/login`);
      const seed = login.headers.getSetCookie().find((c) => c.startsWith("icsrf="));
      assert.match(seed ?? "", /HttpOnly/);
      assert.match(seed ?? "", /SameSite=Strict/);
      // A token from another seed is refused.
      const forged = await fetch(`${app.url}/login`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: `icsrf=${"a".repeat(32)}` },
        body: new URLSearchParams({ _csrf: "bad", email: "x@example.com", password: "y" }),
        redirect: "manual",
      });
      assert.equal(forged.status, 403);

      await app.ctx.admins.create(
        { email: "second@example.com", name: "Second", role: "admin", password: ADMIN_PASSWORD },
        {
          type: "cli",
          id: null,
          label: "test",
          ip: null,
        },
      );
      const client = new PageClient(app.url);
      await client.get("/login");
      const signedIn = await client.post("/login", { email: "second@example.com", password: ADMIN_PASSWORD });
      const session = signedIn.headers.getSetCookie().find((c) => c.startsWith("isid="));
      assert.match(session ?? "", /HttpOnly/);
      assert.match(session ?? "", /SameSite=Lax/);
      assert.equal((await client.get("/users")).status, 200);
      const sessionsBefore = await app.ctx.db("sessions").count({ n: "*" }).first();
      await client.post("/logout", {});
      const after = await client.get("/users");
      assert.equal(after.status, 302, "signed out: back to the sign-in page");
      const sessionsAfter = await app.ctx.db("sessions").count({ n: "*" }).first();
      assert.equal(Number(sessionsAfter?.n), Number(sessionsBefore?.n) - 1, "the session is gone from the database");
    });
  });
}
