import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cliActor } from "../../server/core/events.js";
import { INVITATION_KIND } from "../../server/notify/invitation-sender.js";
import { REMINDER_ACTOR } from "../../server/notify/reminders.js";
import { startOn, type TestApp } from "../support/app.js";
import { dialects, freshDatabase, type TestDatabase } from "../support/databases.js";
import { personInput } from "../support/people.js";

const DAY = 86_400_000;

/**
 * Two instances on one MariaDB database (two services, each with its own pool, as two
 * processes have): the reminders job and a bulk invitation run that lost its instance are
 * each done once, whichever instance gets there first.
 */
describe("jobs and bulk runs on two instances", { skip: !(await dialects()).includes("mariadb") && "MariaDB missing" }, () => {
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  before(async () => {
    database = await freshDatabase("mariadb");
    a = await startOn(database, {}, { outbox: false });
    b = await startOn(database, {}, { outbox: false });
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await database?.drop();
  });

  const register = async (n: number, prefix: string) => {
    const ids: number[] = [];
    for (let i = 0; i < n; i++) {
      const user = await a.ctx.users.create(
        personInput({ firstName: `${prefix}${i}`, lastName: "Iglesias", email: `${prefix.toLowerCase()}${i}@example.com` }),
        cliActor(),
      );
      ids.push(user.id);
    }
    return ids;
  };

  const messagesPer = async (ids: number[], filter: Record<string, unknown> = {}) => {
    const rows: Array<{ user_id: number; n: number }> = await a.ctx
      .db("outbox")
      .whereIn("user_id", ids)
      .where({ kind: INVITATION_KIND, ...filter })
      .groupBy("user_id")
      .select("user_id")
      .count({ n: "*" });
    const per = new Map(rows.map((r) => [Number(r.user_id), Number(r.n)]));
    return ids.map((id) => per.get(id) ?? 0);
  };

  it("the reminders job started on both at the same scheduled minute reminds each person once", async () => {
    const people = await register(40, "Remind");
    for (const id of people) await a.ctx.notify.invitations.send(id, "email", cliActor());
    // Their invitation went out four days ago: due a reminder.
    await a.ctx
      .db("outbox")
      .whereIn("user_id", people)
      .update({ created_at: Date.now() - 4 * DAY });
    const slot = Math.floor(Date.now() / 60_000);
    const ran = await Promise.all([a, b, a, b].map((app) => app.ctx.jobs.runNow("invitations.remind", slot)));
    assert.equal(ran.filter(Boolean).length, 1, "one run of the four");
    assert.deepEqual(
      await messagesPer(people, { created_by: REMINDER_ACTOR.label }),
      people.map(() => 1),
    );
  });

  it("a bulk run whose instance died is resumed by one instance; nobody is invited twice", async () => {
    const people = await register(60, "Bulk");
    const [runId] = await a.ctx.db("bulk_invites").insert({
      target: JSON.stringify({ ids: people }),
      actor: JSON.stringify(cliActor()),
      state: "running",
      owner: "a process that died",
      heartbeat_at: Date.now() - 5 * 60_000,
      lease_expires_at: Date.now() - 4 * 60_000,
      created_at: Date.now() - 5 * 60_000,
    });
    const resumed = await Promise.all([a, b, a, b].map((app) => app.ctx.notify.bulk.resumeStale()));
    assert.equal(
      resumed.reduce((n, r) => n + r, 0),
      1,
      "one instance took it over",
    );
    assert.deepEqual(
      await messagesPer(people),
      people.map(() => 1),
    );
    const run = await a.ctx.db("bulk_invites").where({ id: runId }).first();
    assert.equal(run.state, "done");
  });
});
