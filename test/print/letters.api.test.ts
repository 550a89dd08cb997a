import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cliActor } from "../../server/core/events.js";
import type { UserInput } from "../../server/people/users.schema.js";
import { assertProblem, call } from "../support/api-client.js";
import { ADMIN_PASSWORD, createApiKey, createStaff, startTestApp, type TestApp } from "../support/app.js";
import { PageClient } from "../support/browser-client.js";
import { dialects } from "../support/databases.js";
import { pdfInfo, pdfPagesText, popplerOrSkip } from "../support/pdf-tools.js";
import { personInput } from "../support/people.js";

const havePoppler = await popplerOrSkip();
const flat = (text: string) => text.replace(/\s+/g, " ");

for (const dialect of await dialects()) {
  describe(`invitation letter downloads (${dialect})`, { skip: !havePoppler }, () => {
    let app: TestApp;
    let key: string;
    const newPerson = async (fields: Partial<UserInput> & Pick<UserInput, "firstName" | "lastName">) =>
      (await app.ctx.users.create(personInput(fields), cliActor())).id;
    const pdf = (path: string, withKey: string | null = key) =>
      fetch(`${app.url}/api/v1${path}`, { headers: withKey ? { authorization: `Bearer ${withKey}` } : {} });

    before(async () => {
      app = await startTestApp(dialect);
      key = await createApiKey(app.ctx, ["invitations"]);
      await app.ctx.settings.update({ organizationName: "Northwind Logistics", defaultCountry: "ES" }, cliActor());
    });
    after(() => app?.stop());

    it("GET /users/:id/invitation.pdf: the person's letter, not cached, named, audited without the name", async () => {
      const id = await newPerson({ firstName: "Lucía", lastName: "Fernández", language: "es" });
      const res = await pdf(`/users/${id}/invitation.pdf`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/pdf");
      assert.equal(res.headers.get("cache-control"), "no-store");
      assert.equal(res.headers.get("content-disposition"), `attachment; filename="invitation-${id}.pdf"`);
      const body = Buffer.from(await res.arrayBuffer());
      const info = await pdfInfo(body);
      assert.equal(info.Pages, "1");
      assert.match(info["Page size"] ?? "", /A4/, "A4 by default in Spain");
      assert.match(flat((await pdfPagesText(body))[0] ?? ""), /Te damos la bienvenida, Lucía Fernández/);

      const audit = await app.ctx.audit.forTarget("user", id);
      const entry = audit.find((e) => e.summary.startsWith("Downloaded"));
      assert.ok(entry, JSON.stringify(audit));
      assert.equal(entry.summary, `Downloaded the invitation letter of person #${id} (PDF, A4)`);
      assert.doesNotMatch(entry.summary, /Lucía|Fernández/);

      const letter = await pdf(`/users/${id}/invitation.pdf?paper=Letter`);
      assert.match((await pdfInfo(Buffer.from(await letter.arrayBuffer())))["Page size"] ?? "", /612 x 792/);
    });

    it("answers problems: 404 unknown, 409 joined or deactivated, 400 bad paper, 401 and 403 without the scope", async () => {
      const joined = await newPerson({ firstName: "Jo", lastName: "Joined" });
      await app.ctx.users.join(joined, "link", cliActor());
      const gone = await newPerson({ firstName: "Dee", lastName: "Gone" });
      await app.ctx.users.deactivate(gone, cliActor());
      const pending = await newPerson({ firstName: "Pat", lastName: "Pending" });

      assertProblem(await call(app, "GET", "/users/999999/invitation.pdf", { key }), 404);
      assertProblem(await call(app, "GET", "/users/abc/invitation.pdf", { key }), 404);
      const active = await call(app, "GET", `/users/${joined}/invitation.pdf`, { key });
      assertProblem(active, 409);
      assert.match(active.body.detail, /already joined/);
      assert.equal(active.headers.get("content-type")?.startsWith("application/problem+json"), true, "a problem is not a PDF");
      assertProblem(await call(app, "GET", `/users/${gone}/invitation.pdf`, { key }), 409);
      const paper = await call(app, "GET", `/users/${pending}/invitation.pdf?paper=A5`, { key });
      assertProblem(paper, 400);
      assert.match(paper.body.errors.paper, /A4, Letter/);
      assertProblem(await call(app, "GET", `/users/${pending}/invitation.pdf`, { key: null }), 401);
      const other = await createApiKey(app.ctx, ["users"]);
      assertProblem(await call(app, "GET", `/users/${pending}/invitation.pdf`, { key: other }), 403);
    });

    it("GET /groups/:id/invitations.pdf: exactly the group's pending members, in name order; 409 when none", async () => {
      const group = await app.ctx.groups.create("Almacén Norte", cliActor());
      const a = await newPerson({ firstName: "Zoë", lastName: "Abbott" });
      const b = await newPerson({ firstName: "Ελένη", lastName: "Παπαδοπούλου" });
      const joined = await newPerson({ firstName: "Ann", lastName: "Active" });
      const outsider = await newPerson({ firstName: "Otto", lastName: "Outsider" });
      await app.ctx.groups.addMembers(group.id, [b, a, joined], cliActor());
      await app.ctx.users.join(joined, "link", cliActor());

      const res = await pdf(`/groups/${group.id}/invitations.pdf`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("cache-control"), "no-store");
      assert.equal(
        res.headers.get("content-disposition"),
        `attachment; filename="invitations-group-${group.id}-almacen-norte.pdf"`,
      );
      const pages = (await pdfPagesText(Buffer.from(await res.arrayBuffer()))).map(flat);
      assert.equal(pages.length, 2);
      assert.match(pages[0] ?? "", /Welcome, Zoë Abbott/);
      assert.match(pages[1] ?? "", /Welcome, Ελένη Παπαδοπούλου/);
      assert.ok(!pages.some((p) => /Ann Active|Otto Outsider/.test(p)));
      void outsider;

      const audit = await app.ctx.audit.forTarget("group", group.id);
      assert.ok(
        audit.some((e) => e.summary === `Downloaded 2 invitation letters of the pending members of group #${group.id} (PDF, A4)`),
      );

      const empty = await app.ctx.groups.create("Everyone joined", cliActor());
      await app.ctx.groups.addMembers(empty.id, [joined], cliActor());
      assertProblem(await call(app, "GET", `/groups/${empty.id}/invitations.pdf`, { key }), 409);
      assertProblem(await call(app, "GET", "/groups/999999/invitations.pdf", { key }), 404);
    });

    it("pages: the profile's download, a selection's (pending people only, CSRF) and a group's", async () => {
      await createStaff(app.ctx, "frontdesk", "desk@example.com");
      const client = new PageClient(app.url);
      await client.signIn("desk@example.com", ADMIN_PASSWORD);
      const one = await newPerson({ firstName: "Oliver", lastName: "Bennett" });
      const two = await newPerson({ firstName: "Дмитрий", lastName: "Иванов" });
      const joined = await newPerson({ firstName: "Ann", lastName: "Joined" });
      await app.ctx.users.join(joined, "link", cliActor());

      const profile = await client.get(`/users/${one}`);
      assert.match(profile.text, new RegExp(`href="/users/${one}/invitation.pdf"[^>]*>Download invitation \\(PDF\\)`));
      const single = await client.download(`/users/${one}/invitation.pdf`);
      assert.equal(single.status, 200);
      assert.equal(single.headers.get("content-disposition"), `attachment; filename="invitation-${one}-oliver-bennett.pdf"`);
      assert.equal(single.headers.get("cache-control"), "no-store");
      assert.match(flat((await pdfPagesText(single.body))[0] ?? ""), /Welcome, Oliver Bennett/);

      const list = await client.get("/users");
      assert.match(list.text, /formaction="\/users\/invitations.pdf"/);
      const selection = await client.download("/users/invitations.pdf", { ids: [String(two), String(joined), String(one)] });
      assert.equal(selection.status, 200, selection.body.toString().slice(0, 300));
      const pages = (await pdfPagesText(selection.body)).map(flat);
      assert.equal(pages.length, 2, "the joined person is left out");
      assert.match(pages[0] ?? "", /Welcome, Дмитрий Иванов/);
      assert.match(pages[1] ?? "", /Welcome, Oliver Bennett/);

      const none = await client.download("/users/invitations.pdf", { ids: [String(joined)] });
      assert.equal(none.status, 303);
      assert.match(none.headers.get("location") ?? "", /done=letters-none-pending/);
      const forged = await fetch(`${app.url}/users/invitations.pdf`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: `ids=${one}`,
        redirect: "manual",
      });
      assert.notEqual(forged.status, 200, "no PDF without a session and CSRF token");

      const group = await app.ctx.groups.create("Front office", cliActor());
      await app.ctx.groups.addMembers(group.id, [one], cliActor());
      assert.match((await client.get(`/groups/${group.id}`)).text, /Download invitations \(PDF\)/);
      const fromGroup = await client.download(`/groups/${group.id}/invitations.pdf`);
      assert.equal(fromGroup.status, 200);
      assert.equal((await pdfInfo(fromGroup.body)).Pages, "1");
    });
  });
}
