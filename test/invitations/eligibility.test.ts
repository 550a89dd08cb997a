import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cliActor } from "../../server/core/events.js";
import { type Eligibility, eligibilityOf } from "../../server/invitations/index.js";
import type { UserInput } from "../../server/people/users.schema.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { dialects } from "../support/databases.js";
import { personInput } from "../support/people.js";

let serial = 0;
const person = (fields: Partial<UserInput> = {}): UserInput =>
  personInput({ firstName: "Elena", lastName: `Elegible ${++serial}`, ...fields });

const reasonOf = (e: Eligibility | undefined) => (e?.ok ? "ok" : e?.reason);

describe("eligibilityOf (the rule)", () => {
  const user = (status: "pending" | "active" | "deactivated") => ({ id: 1, status }) as never;
  const invitation = (state: "active" | "expired" | "revoked" | "used") => ({ id: 9, userId: 1, state }) as never;

  it("judges the person before the invitation", () => {
    assert.equal(reasonOf(eligibilityOf(1, undefined, undefined)), "unknown");
    assert.equal(reasonOf(eligibilityOf(1, user("active"), invitation("used"))), "joined");
    assert.equal(reasonOf(eligibilityOf(1, user("deactivated"), invitation("active"))), "deactivated");
    assert.equal(reasonOf(eligibilityOf(1, user("deactivated"), undefined)), "deactivated");
  });

  it("lets a pending person with an active invitation through, and names a dead one's state", () => {
    assert.equal(reasonOf(eligibilityOf(1, user("pending"), invitation("active"))), "ok");
    for (const state of ["expired", "revoked", "used"] as const) {
      assert.equal(reasonOf(eligibilityOf(1, user("pending"), invitation(state))), state);
    }
  });

  it("needs a pending person's invitation", () => {
    assert.throws(() => eligibilityOf(1, user("pending"), undefined));
  });
});

for (const dialect of await dialects()) {
  describe(`InvitationsService.eligibility (${dialect})`, () => {
    let app: TestApp;
    before(async () => {
      app = await startTestApp(dialect);
    });
    after(() => app?.stop());

    it("gives each person's verdict in the order asked, with the person and the invitation", async () => {
      const { users, invitations, db } = app.ctx;
      const actor = cliActor();
      const fresh = (await users.create(person(), actor)).id;
      const shown = (await users.create(person(), actor)).id;
      const shownBefore = await invitations.current(shown);
      const joined = (await users.create(person(), actor)).id;
      await users.join(joined, "link", actor);
      const deactivated = (await users.create(person(), actor)).id;
      await users.deactivate(deactivated, actor);
      const revoked = (await users.create(person(), actor)).id;
      await invitations.revoke(revoked, actor);
      const expired = (await users.create(person(), actor)).id;
      const dead = await invitations.current(expired);
      await db("invitations")
        .where({ id: dead.id })
        .update({ expires_at: Date.now() - 1_000 });
      const unknown = 9_999_999;

      const ids = [unknown, expired, revoked, deactivated, joined, shown, fresh];
      const verdicts = await invitations.eligibility(ids);
      assert.deepEqual([...verdicts.keys()], ids);
      assert.deepEqual(
        ids.map((id) => reasonOf(verdicts.get(id))),
        ["unknown", "expired", "revoked", "deactivated", "joined", "ok", "ok"],
      );

      const ok = verdicts.get(shown);
      assert.ok(ok?.ok);
      assert.equal(ok.user.id, shown);
      assert.equal(ok.invitation.url, shownBefore.url, "the current invitation, not a new one");
      const made = verdicts.get(fresh);
      assert.ok(made?.ok && made.invitation.state === "active", "one is made for a pending person who had none");
      const gone = verdicts.get(expired);
      assert.ok(gone && !gone.ok && gone.reason === "expired" && gone.invitation.id === dead.id, "never replaced here");
      assert.equal((await invitations.current(expired)).state, "expired");
    });

    it("makes no invitation for people who cannot join", async () => {
      const { users, invitations, db } = app.ctx;
      const id = (await users.create(person(), cliActor())).id;
      await users.deactivate(id, cliActor());
      const before = await db("invitations").where({ user_id: id }).count({ n: "*" }).first();
      assert.equal(reasonOf((await invitations.eligibility([id])).get(id)), "deactivated");
      const after = await db("invitations").where({ user_id: id }).count({ n: "*" }).first();
      assert.equal(Number(after?.n), Number(before?.n));
    });
  });
}
