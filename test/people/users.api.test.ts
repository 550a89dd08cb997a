import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cliActor } from "../../server/core/events.js";
import { assertProblem, call } from "../support/api-client.js";
import { createApiKey, startTestApp, type TestApp } from "../support/app.js";
import { dialects } from "../support/databases.js";

for (const dialect of await dialects()) {
  describe(`users API (${dialect})`, () => {
    let app: TestApp;
    let key: string;
    const api = (method: string, path: string, opts: Parameters<typeof call>[3] = {}) =>
      call(app, method, path, { key, ...opts });
    const create = async (body: Record<string, unknown>) => {
      const reply = await api("POST", "/users", { body });
      assert.equal(reply.status, 201, JSON.stringify(reply.body));
      return reply.body;
    };

    before(async () => {
      app = await startTestApp(dialect, { DEFAULT_COUNTRY: "ES" });
      key = await createApiKey(app.ctx, ["users", "groups"]);
    });
    after(() => app?.stop());

    describe("create", () => {
      it("registers a pending person, normalizes the phone to E.164 and answers 201 with a Location", async () => {
        const reply = await api("POST", "/users", {
          body: {
            firstName: "  Lucía ",
            lastName: "Fernández",
            email: "Lucia.Fernandez@Example.com",
            phone: "612 345 678",
            phoneConsent: true,
            employeeId: "EMP2001",
            department: "Logistics",
            site: "Madrid",
            language: "es",
          },
        });
        assert.equal(reply.status, 201, JSON.stringify(reply.body));
        assert.match(reply.headers.get("content-type") ?? "", /^application\/json/);
        const user = reply.body;
        assert.ok(Number.isInteger(user.id) && user.id > 0);
        assert.equal(reply.headers.get("location"), `/api/v1/users/${user.id}`);
        assert.equal(user.firstName, "Lucía");
        assert.equal(user.lastName, "Fernández");
        assert.equal(user.email, "Lucia.Fernandez@Example.com");
        assert.equal(user.phone, "+34612345678");
        assert.equal(user.phoneConsent, true);
        assert.equal(user.employeeId, "EMP2001");
        assert.equal(user.department, "Logistics");
        assert.equal(user.site, "Madrid");
        assert.equal(user.language, "es");
        assert.equal(user.status, "pending");
        assert.deepEqual(user.groups, []);
        assert.ok(!Number.isNaN(Date.parse(user.createdAt)) && user.createdAt.endsWith("Z"));
        assert.equal(user.joinedAt, null);

        const again = await api("GET", reply.headers.get("location")!.replace("/api/v1", ""));
        assert.equal(again.status, 200);
        assert.deepEqual(again.body, user);
      });

      it("takes only the names: optional fields default to null, language to en", async () => {
        const user = await create({ firstName: "Solo", lastName: "Nombre" });
        assert.equal(user.email, null);
        assert.equal(user.phone, null);
        assert.equal(user.phoneConsent, false);
        assert.equal(user.employeeId, null);
        assert.equal(user.language, "en");
      });

      it("puts the person in groups given by id or by name", async () => {
        const kitchen = await app.ctx.groups.create("Kitchen", cliActor());
        const night = await app.ctx.groups.create("Night shift", cliActor());
        const user = await create({ firstName: "Grace", lastName: "Groups", groups: [kitchen.id, "night SHIFT"] });
        assert.deepEqual(user.groups.map((g: { id: number }) => g.id).sort(), [kitchen.id, night.id].sort());
        const unknown = await api("POST", "/users", { body: { firstName: "A", lastName: "B", groups: ["No such group"] } });
        assertProblem(unknown, 400);
        assert.match(unknown.body.errors.groups, /No such group/);
      });

      it("answers 400 problem+json naming every missing or invalid field", async () => {
        const reply = await api("POST", "/users", {
          body: { firstName: "", email: "not-an-email", phone: "12", language: "klingon", phoneConsent: 3 },
        });
        assertProblem(reply, 400);
        assert.equal(typeof reply.body.errors.firstName, "string");
        assert.equal(typeof reply.body.errors.lastName, "string");
        assert.equal(typeof reply.body.errors.email, "string");
        assert.equal(typeof reply.body.errors.language, "string");
        assert.equal(typeof reply.body.errors.phoneConsent, "string");
      });

      it("answers 400 naming the phone when it is not a valid number", async () => {
        const reply = await api("POST", "/users", {
          body: { firstName: "Pat", lastName: "Phone", phone: "12", phoneConsent: true },
        });
        assertProblem(reply, 400);
        assert.deepEqual(Object.keys(reply.body.errors), ["phone"]);
      });

      it("refuses a phone number without consent, and stores nothing", async () => {
        const before = (await api("GET", "/users")).body.total;
        const reply = await api("POST", "/users", { body: { firstName: "No", lastName: "Consent", phone: "+34 699 000 111" } });
        assertProblem(reply, 400);
        assert.equal(typeof reply.body.errors.phoneConsent, "string");
        const withFalse = await api("POST", "/users", {
          body: { firstName: "No", lastName: "Consent", phone: "+34 699 000 111", phoneConsent: false },
        });
        assertProblem(withFalse, 400);
        assert.ok(withFalse.body.errors.phoneConsent);
        assert.equal((await api("GET", "/users")).body.total, before);
      });

      it("refuses unknown and server-set keys, naming them", async () => {
        const typo = await api("POST", "/users", { body: { fristName: "Typo", firstName: "T", lastName: "Y" } });
        assertProblem(typo, 400);
        assert.deepEqual(Object.keys(typo.body.errors), ["fristName"]);
        const readOnly = await api("POST", "/users", { body: { firstName: "T", lastName: "Y", id: 7, status: "active" } });
        assertProblem(readOnly, 400);
        assert.deepEqual(Object.keys(readOnly.body.errors).sort(), ["id", "status"]);
      });

      it("refuses a body that is not a JSON object", async () => {
        for (const raw of ["[]", "null", '"text"', "42"]) {
          const reply = await api("POST", "/users", { raw });
          assertProblem(reply, 400);
          assert.ok(reply.body.errors.body, raw);
        }
        const broken = await api("POST", "/users", { raw: '{"firstName": ' });
        assertProblem(broken, 400);
        assert.ok(broken.body.errors.body);
        const form = await api("POST", "/users", {
          raw: "firstName=A&lastName=B",
          contentType: "application/x-www-form-urlencoded",
        });
        assertProblem(form, 400);
        assert.ok(form.body.errors.body);
        const none = await api("POST", "/users");
        assertProblem(none, 400);
      });

      it("answers 409 with the existing person for a duplicate email (any case), phone or employee id", async () => {
        const first = await create({
          firstName: "Dora",
          lastName: "Duplicate",
          email: "dora@example.com",
          phone: "+34 611 222 333",
          phoneConsent: true,
          employeeId: "DUP-1",
        });
        const email = await api("POST", "/users", { body: { firstName: "X", lastName: "Y", email: "DORA@Example.COM" } });
        assertProblem(email, 409);
        assert.equal(email.body.existing.id, first.id);
        assert.equal(email.body.existing.field, "email");
        assert.equal(email.body.existing.url, `/api/v1/users/${first.id}`);

        const phone = await api("POST", "/users", {
          body: { firstName: "X", lastName: "Y", phone: "611222333", phoneConsent: true },
        });
        assertProblem(phone, 409);
        assert.deepEqual([phone.body.existing.id, phone.body.existing.field], [first.id, "phone"]);

        const employee = await api("POST", "/users", { body: { firstName: "X", lastName: "Y", employeeId: "dup-1" } });
        assertProblem(employee, 409);
        assert.deepEqual([employee.body.existing.id, employee.body.existing.field], [first.id, "employeeId"]);
      });
    });

    describe("list", () => {
      const ids: Record<string, number> = {};
      let groupId: number;

      before(async () => {
        groupId = (await app.ctx.groups.create("Search crew", cliActor())).id;
        const people = [
          {
            firstName: "María",
            lastName: "García López",
            email: "maria.garcia@acme.test",
            employeeId: "HR-4471",
            site: "Bilbao",
          },
          { firstName: "José", lastName: "Garcés", phone: "+34 622 987 654", phoneConsent: true, site: "Bilbao" },
          { firstName: "Zoë", lastName: "Smith", email: "zoe@acme.test", employeeId: "ZS900", site: "Bilbao", groups: [groupId] },
          { firstName: "Ana", lastName: "Ortega", site: "Bilbao", groups: [groupId] },
          { firstName: "Bruno", lastName: "Alonso", site: "Bilbao", department: "Kitchen" },
        ];
        for (const p of people) ids[p.lastName] = (await create(p)).id;
        await app.ctx.users.deactivate(ids.Ortega as number, cliActor());
      });

      const search = async (query: string) => {
        const reply = await api("GET", `/users?${query}`);
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        return reply.body as { items: Array<{ id: number; lastName: string }>; total: number; page: number; pageSize: number };
      };
      const lastNames = (r: { items: Array<{ lastName: string }> }) => r.items.map((u) => u.lastName).sort();

      it("answers { items, total, page, pageSize } with the defaults", async () => {
        const all = await search("site=Bilbao");
        assert.equal(all.total, 5);
        assert.equal(all.items.length, 5);
        assert.equal(all.page, 1);
        assert.equal(all.pageSize, 50);
        // Sorted by last name, accents folded.
        assert.deepEqual(
          all.items.map((u) => u.lastName),
          ["Alonso", "Garcés", "García López", "Ortega", "Smith"],
        );
      });

      it("finds people by a partial last name without its accents", async () => {
        assert.deepEqual(lastNames(await search(`q=garc`)), ["Garcés", "García López"]);
        assert.deepEqual(lastNames(await search(`q=${encodeURIComponent("GARCÍ")}`)), ["García López"]);
        assert.deepEqual(lastNames(await search(`q=${encodeURIComponent("maria garc")}`)), ["García López"]);
        assert.deepEqual(lastNames(await search("q=zoe")), ["Smith"]);
      });

      it("finds people by phone digits, as typed in any format", async () => {
        assert.deepEqual(lastNames(await search("q=622987")), ["Garcés"]);
        assert.deepEqual(lastNames(await search(`q=${encodeURIComponent("622 98 76 54")}`)), ["Garcés"]);
        assert.deepEqual(lastNames(await search(`q=${encodeURIComponent("+34 622 987")}`)), ["Garcés"]);
      });

      it("finds people by employee id and by email", async () => {
        assert.deepEqual(lastNames(await search("q=zs900")), ["Smith"]);
        assert.deepEqual(lastNames(await search("q=HR-4471")), ["García López"]);
        assert.deepEqual(lastNames(await search(`q=${encodeURIComponent("maria.garcia@acme.test")}`)), ["García López"]);
        assert.deepEqual(lastNames(await search(`q=${encodeURIComponent("Maria.Garcia@ACME")}`)), ["García López"]);
        assert.equal((await search("q=nobody-like-this")).total, 0);
      });

      it("filters by status, group and department", async () => {
        assert.deepEqual(lastNames(await search("site=Bilbao&status=deactivated")), ["Ortega"]);
        assert.equal((await search("site=Bilbao&status=pending")).total, 4);
        assert.equal((await search("site=Bilbao&status=active")).total, 0);
        assert.deepEqual(lastNames(await search(`group=${groupId}`)), ["Ortega", "Smith"]);
        assert.deepEqual(lastNames(await search(`group=${groupId}&status=pending`)), ["Smith"]);
        assert.deepEqual(lastNames(await search("department=Kitchen")), ["Alonso"]);
        // Empty parameters, as a form sends them, mean "no filter".
        assert.equal((await search("site=Bilbao&status=&q=&group=")).total, 5);
      });

      it("pages through the results with stable totals", async () => {
        const seen: number[] = [];
        for (const page of [1, 2, 3]) {
          const reply = await search(`site=Bilbao&pageSize=2&page=${page}`);
          assert.equal(reply.total, 5);
          assert.equal(reply.page, page);
          assert.equal(reply.pageSize, 2);
          assert.equal(reply.items.length, page < 3 ? 2 : 1);
          seen.push(...reply.items.map((u) => u.id));
        }
        assert.equal(new Set(seen).size, 5);
        const beyond = await search("site=Bilbao&pageSize=2&page=9");
        assert.equal(beyond.total, 5);
        assert.deepEqual(beyond.items, []);
        const desc = await search("site=Bilbao&sort=name&dir=desc&pageSize=1");
        assert.deepEqual(lastNames(desc), ["Smith"]);
      });

      it("answers 400 naming each invalid parameter", async () => {
        const reply = await api("GET", "/users?pageSize=500&page=0&status=gone&group=abc&sort=shoe&dir=up");
        assertProblem(reply, 400);
        assert.deepEqual(Object.keys(reply.body.errors).sort(), ["dir", "group", "page", "pageSize", "sort", "status"]);
        assert.equal(reply.body.errors.pageSize, "must be a whole number between 1 and 200");
        const long = await api("GET", `/users?q=${"a".repeat(101)}`);
        assertProblem(long, 400);
        assert.ok(long.body.errors.q);
        const twice = await api("GET", "/users?status=pending&status=active");
        assertProblem(twice, 400);
        assert.ok(twice.body.errors.status);
      });
    });

    describe("update, deactivate and erase", () => {
      it("PATCH changes only the fields given", async () => {
        const group = await app.ctx.groups.create("Patch group", cliActor());
        const user = await create({
          firstName: "Paula",
          lastName: "Patch",
          email: "paula@example.com",
          phone: "633 111 222",
          phoneConsent: true,
          department: "Sales",
          groups: [group.id],
        });
        const reply = await api("PATCH", `/users/${user.id}`, { body: { department: "Support", language: "es" } });
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        assert.equal(reply.body.department, "Support");
        assert.equal(reply.body.language, "es");
        for (const k of ["firstName", "lastName", "email", "phone", "phoneConsent", "status", "createdAt", "groups"]) {
          assert.deepEqual(reply.body[k], user[k], k);
        }
        const stored = (await api("GET", `/users/${user.id}`)).body;
        assert.equal(stored.department, "Support");

        const cleared = await api("PATCH", `/users/${user.id}`, { body: { groups: [], email: null } });
        assert.equal(cleared.status, 200);
        assert.deepEqual(cleared.body.groups, []);
        assert.equal(cleared.body.email, null);
        assert.equal(cleared.body.phone, "+34633111222");

        const phone = await api("PATCH", `/users/${user.id}`, { body: { phone: "0034 633 999 888" } });
        assert.equal(phone.status, 200);
        assert.equal(phone.body.phone, "+34633999888");
      });

      it("PATCH validates like create: 400 per field, 409 for another person's email, unknown keys named", async () => {
        const a = await create({ firstName: "Ada", lastName: "One", email: "ada.one@example.com" });
        const b = await create({ firstName: "Bea", lastName: "Two", email: "bea.two@example.com" });
        const invalid = await api("PATCH", `/users/${b.id}`, { body: { firstName: "", email: "nope" } });
        assertProblem(invalid, 400);
        assert.deepEqual(Object.keys(invalid.body.errors).sort(), ["email", "firstName"]);
        const dup = await api("PATCH", `/users/${b.id}`, { body: { email: "ADA.ONE@example.com" } });
        assertProblem(dup, 409);
        assert.equal(dup.body.existing.id, a.id);
        const consent = await api("PATCH", `/users/${b.id}`, { body: { phone: "644 555 666" } });
        assertProblem(consent, 400);
        assert.ok(consent.body.errors.phoneConsent);
        const unknown = await api("PATCH", `/users/${b.id}`, { body: { nickname: "B", createdAt: "2020-01-01T00:00:00Z" } });
        assertProblem(unknown, 400);
        assert.deepEqual(Object.keys(unknown.body.errors).sort(), ["createdAt", "nickname"]);
        assert.equal((await api("GET", `/users/${b.id}`)).body.email, "bea.two@example.com");
        // Keeping one's own email is not a duplicate.
        const same = await api("PATCH", `/users/${b.id}`, { body: { email: "Bea.Two@example.com", lastName: "Dos" } });
        assert.equal(same.status, 200);
        assert.equal(same.body.lastName, "Dos");
      });

      it("PATCH status deactivates and reactivates, and refuses any other transition", async () => {
        const user = await create({ firstName: "Dee", lastName: "Activate" });
        const off = await api("PATCH", `/users/${user.id}`, { body: { status: "deactivated" } });
        assert.equal(off.status, 200);
        assert.equal(off.body.status, "deactivated");
        assert.ok(off.body.deactivatedAt);
        assert.equal((await api("GET", `/users/${user.id}`)).body.status, "deactivated");
        assert.equal((await api("GET", `/users?status=deactivated&q=activate`)).body.total, 1);

        // Never joined: reactivating makes them pending again, not active.
        const active = await api("PATCH", `/users/${user.id}`, { body: { status: "active" } });
        assertProblem(active, 400);
        assert.ok(active.body.errors.status);
        for (const status of ["joined", "", null, 1]) {
          const bad = await api("PATCH", `/users/${user.id}`, { body: { status } });
          assertProblem(bad, 400);
          assert.ok(bad.body.errors.status, String(status));
        }
        assert.equal((await api("GET", `/users/${user.id}`)).body.status, "deactivated");

        const on = await api("PATCH", `/users/${user.id}`, { body: { status: "pending", site: "Valencia" } });
        assert.equal(on.status, 200, JSON.stringify(on.body));
        assert.equal(on.body.status, "pending");
        assert.equal(on.body.deactivatedAt, null);
        assert.equal(on.body.site, "Valencia");
        // A pending person cannot be made active through the API: they become active by joining.
        assertProblem(await api("PATCH", `/users/${user.id}`, { body: { status: "active" } }), 400);
        assert.equal((await api("PATCH", `/users/${user.id}`, { body: { status: "pending" } })).body.status, "pending");
      });

      it("DELETE erases the person: 204, then 404", async () => {
        const group = await app.ctx.groups.create("Erase group", cliActor());
        const user = await create({ firstName: "Erin", lastName: "Erase", email: "erin@example.com", groups: [group.id] });
        const del = await api("DELETE", `/users/${user.id}`);
        assert.equal(del.status, 204);
        assert.equal(del.body, null);
        assertProblem(await api("GET", `/users/${user.id}`), 404);
        assertProblem(await api("PATCH", `/users/${user.id}`, { body: { site: "X" } }), 404);
        assertProblem(await api("DELETE", `/users/${user.id}`), 404);
        assert.equal((await api("GET", "/users?q=erin")).body.total, 0);
        assert.equal((await app.ctx.groups.get(group.id)).memberCount, 0);
        // The email is free again.
        assert.equal(
          (await api("POST", "/users", { body: { firstName: "E", lastName: "E", email: "erin@example.com" } })).status,
          201,
        );
      });

      it("answers 404 problem+json for ids that are not positive integers", async () => {
        for (const id of ["abc", "0", "-1", "1.5", "1e3", "99999999999999999999", "%20"]) {
          assertProblem(await api("GET", `/users/${id}`), 404);
          assertProblem(await api("PATCH", `/users/${id}`, { body: { site: "X" } }), 404);
          assertProblem(await api("DELETE", `/users/${id}`), 404);
        }
        assertProblem(await api("GET", "/users/2147483647"), 404);
      });
    });

    describe("authentication", () => {
      it("answers 401 without a key or with a malformed or unknown one", async () => {
        for (const auth of [null, "isk_nope", `isk_abcdefgh_${"x".repeat(43)}`]) {
          const list = await call(app, "GET", "/users", { key: auth });
          assertProblem(list, 401);
          const post = await call(app, "POST", "/users", { key: auth, body: { firstName: "A", lastName: "B" } });
          assertProblem(post, 401);
        }
        const basic = await fetch(`${app.url}/api/v1/users`, { headers: { authorization: `Basic ${key}` } });
        assert.equal(basic.status, 401);
      });

      it("answers 403 for a key without the users scope", async () => {
        const groupsOnly = await createApiKey(app.ctx, ["groups"]);
        assertProblem(await call(app, "GET", "/users", { key: groupsOnly }), 403);
        assertProblem(await call(app, "POST", "/users", { key: groupsOnly, body: { firstName: "A", lastName: "B" } }), 403);
        assertProblem(await call(app, "GET", "/users/1", { key: groupsOnly }), 403);
      });

      it("answers 401 once the key is revoked", async () => {
        const { key: revocable, apiKey } = await app.ctx.apiKeys.create("revocable", ["users"], cliActor(), null);
        assert.equal((await call(app, "GET", "/users", { key: revocable })).status, 200);
        await app.ctx.apiKeys.revoke(apiKey.id, cliActor());
        assertProblem(await call(app, "GET", "/users", { key: revocable }), 401);
      });

      it("answers unknown API paths with a 404 problem", async () => {
        assertProblem(await api("GET", "/nothing-here"), 404);
        assertProblem(await api("GET", "/users/1/nothing-here"), 404);
      });
    });
  });
}
