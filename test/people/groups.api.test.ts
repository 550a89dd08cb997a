import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cliActor } from "../../server/core/events.js";
import type { UserInput } from "../../server/people/index.js";
import { assertProblem, call } from "../support/api-client.js";
import { createApiKey, startTestApp, type TestApp } from "../support/app.js";
import { dialects } from "../support/databases.js";
import { personInput } from "../support/people.js";

const person = (firstName: string, lastName: string): UserInput => personInput({ firstName, lastName });

for (const dialect of await dialects()) {
  describe(`groups API (${dialect})`, () => {
    let app: TestApp;
    let key: string;
    const api = (method: string, path: string, body?: unknown) => call(app, method, path, { key, body });
    const newGroup = async (name: string) => {
      const reply = await api("POST", "/groups", { name });
      assert.equal(reply.status, 201, JSON.stringify(reply.body));
      return reply.body as { id: number; name: string };
    };
    const newUser = async (first: string, last: string) => (await app.ctx.users.create(person(first, last), cliActor())).id;

    before(async () => {
      app = await startTestApp(dialect);
      key = await createApiKey(app.ctx, ["users", "groups"]);
    });
    after(() => app?.stop());

    it("creates a group: 201, Location, counts at zero", async () => {
      const reply = await api("POST", "/groups", { name: "  Warehouse  " });
      assert.equal(reply.status, 201, JSON.stringify(reply.body));
      assert.equal(reply.headers.get("location"), `/api/v1/groups/${reply.body.id}`);
      assert.equal(reply.body.name, "Warehouse");
      assert.equal(reply.body.memberCount, 0);
      assert.equal(reply.body.pendingCount, 0);
      assert.ok(reply.body.createdAt.endsWith("Z"));
      const got = await api("GET", `/groups/${reply.body.id}`);
      assert.equal(got.status, 200);
      assert.deepEqual(got.body.members, []);
      assert.equal(got.body.name, "Warehouse");
    });

    it("refuses a duplicate name (any case or accents) with 409 and the existing group", async () => {
      const first = await newGroup("Recepción");
      for (const name of ["recepcion", "RECEPCIÓN", " Recepción "]) {
        const dup = await api("POST", "/groups", { name });
        assertProblem(dup, 409);
        assert.equal(dup.body.existing.id, first.id);
        assert.equal(dup.body.existing.url, `/api/v1/groups/${first.id}`);
      }
    });

    it("answers 400 for a missing, blank, too long or non-text name and for unknown keys", async () => {
      for (const body of [{}, { name: "" }, { name: "   " }, { name: "x".repeat(101) }, { name: 5 }, { name: "a\u0007b" }]) {
        const reply = await api("POST", "/groups", body);
        assertProblem(reply, 400);
        assert.equal(typeof reply.body.errors.name, "string", JSON.stringify(body));
      }
      const unknown = await api("POST", "/groups", { name: "Ok", colour: "red" });
      assertProblem(unknown, 400);
      assert.deepEqual(Object.keys(unknown.body.errors), ["colour"]);
      assertProblem(await api("POST", "/groups", ["Ok"]), 400);
    });

    it("stores XSS-looking names verbatim and answers them as JSON", async () => {
      const evil = `<script>alert("x")</script> & 'Ops' <img src=x onerror=alert(1)>`;
      const group = await newGroup(evil);
      assert.equal(group.name, evil);
      const got = await api("GET", `/groups/${group.id}`);
      assert.match(got.headers.get("content-type") ?? "", /^application\/json/);
      assert.equal(got.body.name, evil);
      assert.ok((await api("GET", "/groups")).body.items.some((g: { name: string }) => g.name === evil));

      const user = await api("POST", "/users", { firstName: "<b>Bold</b>", lastName: `O'Brien "<svg/onload=alert(1)>"` });
      assert.equal(user.status, 201, JSON.stringify(user.body));
      assert.equal(user.body.firstName, "<b>Bold</b>");
      await api("PUT", `/groups/${group.id}/members/${user.body.id}`);
      const members = (await api("GET", `/groups/${group.id}`)).body.members;
      assert.deepEqual(members[0].lastName, `O'Brien "<svg/onload=alert(1)>"`);
    });

    it("lists groups as { items, total } with member and pending counts", async () => {
      const g = await newGroup("Listed");
      const a = await newUser("Lia", "Listed");
      const b = await newUser("Leo", "Listed");
      await app.ctx.groups.addMembers(g.id, [a, b], cliActor());
      await app.ctx.users.deactivate(b, cliActor());
      const reply = await api("GET", "/groups");
      assert.equal(reply.status, 200);
      assert.equal(reply.body.total, reply.body.items.length);
      const listed = reply.body.items.find((x: { id: number }) => x.id === g.id);
      assert.deepEqual(
        { name: listed.name, memberCount: listed.memberCount, pendingCount: listed.pendingCount },
        { name: "Listed", memberCount: 2, pendingCount: 1 },
      );
      assert.ok(!Number.isNaN(Date.parse(listed.createdAt)));
    });

    it("adds and removes one member with PUT and DELETE, idempotently, showing each member's status", async () => {
      const g = await newGroup("Front desk");
      const u = await newUser("Mona", "Member");
      assert.equal((await api("PUT", `/groups/${g.id}/members/${u}`)).status, 204);
      assert.equal((await api("PUT", `/groups/${g.id}/members/${u}`)).status, 204);
      let got = (await api("GET", `/groups/${g.id}`)).body;
      assert.deepEqual(got.members, [{ id: u, firstName: "Mona", lastName: "Member", status: "pending" }]);
      assert.equal(got.memberCount, 1);
      assert.equal(got.pendingCount, 1);
      // The person's own JSON shows the group too.
      assert.deepEqual((await api("GET", `/users/${u}`)).body.groups, [{ id: g.id, name: "Front desk" }]);

      assert.equal((await api("PATCH", `/users/${u}`, { status: "deactivated" })).status, 200);
      got = (await api("GET", `/groups/${g.id}`)).body;
      assert.equal(got.members[0].status, "deactivated");
      assert.equal(got.pendingCount, 0);

      assert.equal((await api("DELETE", `/groups/${g.id}/members/${u}`)).status, 204);
      assert.equal((await api("DELETE", `/groups/${g.id}/members/${u}`)).status, 204);
      got = (await api("GET", `/groups/${g.id}`)).body;
      assert.deepEqual(got.members, []);
      assert.equal(got.memberCount, 0);
    });

    it("answers 404 for a group or person that does not exist, or an id that is not one", async () => {
      const g = await newGroup("Real");
      const u = await newUser("Real", "Person");
      assertProblem(await api("PUT", `/groups/${g.id}/members/999999`), 404);
      assertProblem(await api("PUT", `/groups/999999/members/${u}`), 404);
      assertProblem(await api("DELETE", `/groups/${g.id}/members/999999`), 404);
      for (const bad of ["abc", "0", "-3", "2.5"]) {
        assertProblem(await api("GET", `/groups/${bad}`), 404);
        assertProblem(await api("PATCH", `/groups/${bad}`, { name: "x" }), 404);
        assertProblem(await api("DELETE", `/groups/${bad}`), 404);
        assertProblem(await api("PUT", `/groups/${g.id}/members/${bad}`), 404);
        assertProblem(await api("PUT", `/groups/${bad}/members/${u}`), 404);
        assertProblem(await api("POST", `/groups/${bad}/members`, { userIds: [u] }), 404);
      }
      assertProblem(await api("GET", "/groups/999999"), 404);
      assert.equal((await app.ctx.groups.get(g.id)).memberCount, 0);
    });

    it("adds people in bulk and reports only those newly added", async () => {
      const g = await newGroup("Everyone");
      const ids: number[] = [];
      // More than one 500-row chunk of the repository.
      for (let i = 0; i < 520; i++) ids.push(await newUser(`Bulk${i}`, "Person"));
      const first = await api("POST", `/groups/${g.id}/members`, { userIds: ids.slice(0, 10) });
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(first.body.added, ids.slice(0, 10));
      const rest = await api("POST", `/groups/${g.id}/members`, { userIds: [...ids, ids[0]] });
      assert.equal(rest.status, 200, JSON.stringify(rest.body));
      assert.deepEqual(
        [...rest.body.added].sort((a, b) => a - b),
        ids.slice(10).sort((a, b) => a - b),
      );
      const got = (await api("GET", `/groups/${g.id}`)).body;
      assert.equal(got.memberCount, 520);
      assert.equal(got.pendingCount, 520);
      assert.equal(got.members.length, 520);
      assert.equal((await api("GET", `/users?group=${g.id}&pageSize=1`)).body.total, 520);
      assert.deepEqual((await api("POST", `/groups/${g.id}/members`, { userIds: [] })).body, { added: [] });
    });

    it("refuses an invalid bulk request whole, naming userIds", async () => {
      const g = await newGroup("Bulk rules");
      const u = await newUser("Only", "One");
      const tooMany = Array.from({ length: 5001 }, (_, i) => i + 1);
      for (const body of [
        {},
        { userIds: "1,2" },
        { userIds: [1.5] },
        { userIds: ["1"] },
        { userIds: [0] },
        { userIds: tooMany },
      ]) {
        const reply = await api("POST", `/groups/${g.id}/members`, body);
        assertProblem(reply, 400);
        assert.equal(typeof reply.body.errors.userIds, "string", JSON.stringify(body).slice(0, 50));
      }
      const unknown = await api("POST", `/groups/${g.id}/members`, { userIds: [u, 987654] });
      assertProblem(unknown, 400);
      assert.match(unknown.body.errors.userIds, /#987654/);
      assert.equal((await app.ctx.groups.get(g.id)).memberCount, 0);
      const extra = await api("POST", `/groups/${g.id}/members`, { userIds: [u], notify: true });
      assertProblem(extra, 400);
      assert.ok(extra.body.errors.notify);
    });

    it("renames and deletes a group; its people stay", async () => {
      const g = await newGroup("Old name");
      const taken = await newGroup("Taken name");
      const u = await newUser("Stay", "Here");
      await api("PUT", `/groups/${g.id}/members/${u}`);

      const renamed = await api("PATCH", `/groups/${g.id}`, { name: "New name" });
      assert.equal(renamed.status, 200);
      assert.equal(renamed.body.name, "New name");
      assert.equal(renamed.body.memberCount, 1);
      assert.equal((await api("PATCH", `/groups/${g.id}`, { name: "new NAME" })).status, 200);
      const clash = await api("PATCH", `/groups/${g.id}`, { name: "taken name" });
      assertProblem(clash, 409);
      assert.equal(clash.body.existing.id, taken.id);
      assertProblem(await api("PATCH", `/groups/${g.id}`, { name: "" }), 400);

      assert.equal((await api("DELETE", `/groups/${g.id}`)).status, 204);
      assertProblem(await api("GET", `/groups/${g.id}`), 404);
      assertProblem(await api("DELETE", `/groups/${g.id}`), 404);
      const user = await api("GET", `/users/${u}`);
      assert.equal(user.status, 200);
      assert.deepEqual(user.body.groups, []);
      assert.ok(!(await api("GET", "/groups")).body.items.some((x: { id: number }) => x.id === g.id));
    });

    it("requires a key with the groups scope", async () => {
      assertProblem(await call(app, "GET", "/groups", {}), 401);
      assertProblem(await call(app, "POST", "/groups", { body: { name: "Sneaky" } }), 401);
      const usersOnly = await createApiKey(app.ctx, ["users"]);
      assertProblem(await call(app, "GET", "/groups", { key: usersOnly }), 403);
      assertProblem(await call(app, "PUT", "/groups/1/members/1", { key: usersOnly }), 403);
      const { key: revoked, apiKey } = await app.ctx.apiKeys.create("gone", ["groups"], cliActor(), null);
      await app.ctx.apiKeys.revoke(apiKey.id, cliActor());
      assertProblem(await call(app, "GET", "/groups", { key: revoked }), 401);
      assert.ok(!(await api("GET", "/groups")).body.items.some((x: { name: string }) => x.name === "Sneaky"));
    });
  });
}
