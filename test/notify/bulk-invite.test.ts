import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cliActor } from "../../server/core/events.js";
import { BulkInvite } from "../../server/notify/bulk-invite.service.js";
import { INVITATION_KIND } from "../../server/notify/invitation-sender.js";
import { Reminders } from "../../server/notify/reminders.js";
import type { UserInput } from "../../server/people/users.schema.js";
import { ADMIN_PASSWORD, createStaff } from "../support/app.js";
import { PageClient } from "../support/browser-client.js";
import { dialects, freshDatabase, type TestDatabase } from "../support/databases.js";
import { type NotifyTestApp, startNotifyApp, waitFor } from "../support/notify-app.js";
import { personInput } from "../support/people.js";

const DAY = 86_400_000;
const actor = cliActor("bulk test");

let serial = 0;
const person = (over: Partial<UserInput>): UserInput => personInput({ firstName: "Ana", lastName: `Pérez ${++serial}`, ...over });

for (const dialect of await dialects()) {
  describe(`bulk invitations and reminders (${dialect})`, () => {
    let database: TestDatabase;
    let app: NotifyTestApp;
    let bulk: BulkInvite;
    let reminders: Reminders;
    const ids: Record<string, number> = {};
    let groupId: number;

    /** Invitation messages in the outbox per person id. */
    async function messages(userId: number) {
      return app.ctx
        .db("outbox")
        .where({ kind: INVITATION_KIND, user_id: userId })
        .orderBy("id")
        .select("id", "channel", "created_by", "created_at");
    }
    /** Moves every invitation message of the person `days` further into the past. */
    async function age(userId: number, days: number) {
      const rows = await messages(userId);
      for (const r of rows) {
        await app.ctx
          .db("outbox")
          .where("id", r.id)
          .update({ created_at: Number(r.created_at) - days * DAY });
      }
    }

    before(async () => {
      database = await freshDatabase(dialect);
      // No worker: messages stay queued, so the test counts exactly what was queued.
      app = await startNotifyApp(database, {}, { worker: false });
      const ctx = app.ctx;
      const deps = { db: ctx.db, users: ctx.users, sender: ctx.notify.invitations, settings: ctx.settings, log: ctx.log };
      bulk = new BulkInvite(deps);
      reminders = new Reminders({ ...deps, invitations: ctx.invitations });
      const group = await ctx.groups.create("Warehouse", actor);
      groupId = group.id;
      const make = async (name: string, over: Partial<UserInput>) => {
        ids[name] = (await ctx.users.create(person(over), actor)).id;
      };
      await make("sms", { phone: "+34600000001", phoneConsent: true, email: "sms@example.com" });
      await make("email", { email: "email@example.com" });
      await make("email2", { email: "email2@example.com" });
      await make("neither", {});
      await make("active", { email: "active@example.com" });
      await make("deactivated", { phone: "+34600000002", phoneConsent: true });
      await make("outside", { email: "outside@example.com" });
      await ctx.users.join(ids.active as number, "link", actor);
      await ctx.users.deactivate(ids.deactivated as number, actor);
      const members = ["sms", "email", "email2", "neither", "active", "deactivated"].map((n) => ids[n] as number);
      await ctx.groups.addMembers(groupId, members, actor);
    });
    after(async () => {
      await app?.stop();
      await database?.drop();
    });

    it("previews a group: SMS with consent, email, neither; active and deactivated left out", async () => {
      const plan = await bulk.preview({ groupId });
      assert.deepEqual({ sms: plan.sms, email: plan.email, neither: plan.neither }, { sms: 1, email: 2, neither: 1 });
      assert.deepEqual(
        plan.neitherPeople.map((p) => p.id),
        [ids.neither],
      );
    });

    it("previews a selection, counting the people who will not be invited", async () => {
      const plan = await bulk.preview({ ids: [ids.sms, ids.neither, ids.active, ids.deactivated, 999999] as number[] });
      assert.deepEqual(
        { sms: plan.sms, email: plan.email, neither: plan.neither, skipped: plan.skipped },
        { sms: 1, email: 0, neither: 1, skipped: 3 },
      );
      const everyone = await bulk.preview({ all: true });
      assert.deepEqual({ sms: everyone.sms, email: everyone.email, neither: everyone.neither }, { sms: 1, email: 3, neither: 1 });
    });

    it("queues exactly one message per reachable person of the group, none for active or deactivated", async () => {
      const { done } = await bulk.start({ groupId }, actor);
      assert.deepEqual(await done, { queued: 3, refused: 0 });
      assert.deepEqual(
        (await messages(ids.sms as number)).map((m) => m.channel),
        ["sms"],
      );
      assert.deepEqual(
        (await messages(ids.email as number)).map((m) => m.channel),
        ["email"],
      );
      assert.equal((await messages(ids.email2 as number)).length, 1);
      for (const name of ["neither", "active", "deactivated", "outside"]) {
        assert.equal((await messages(ids[name] as number)).length, 0, name);
      }
    });

    it("reminds after N days on the last channel, at most K times, never active or deactivated people", async () => {
      // Just sent: nobody is due.
      assert.deepEqual(await reminders.run(), { reminders: 0, beforeExpiry: 0, refused: 0 });
      // Give the active and deactivated people an old send too: they still get nothing.
      await app.ctx.db("outbox").insert(
        ["active", "deactivated"].map((n) => ({
          kind: INVITATION_KIND,
          channel: "email",
          user_id: ids[n],
          recipient: "old@example.com",
          payload: "{}",
          state: "sent",
          attempts: 1,
          next_attempt_at: 0,
          created_at: Date.now() - 10 * DAY,
          updated_at: Date.now() - 10 * DAY,
        })),
      );
      await age(ids.sms as number, 2);
      assert.equal((await reminders.run()).reminders, 0, "2 days is not yet 3");
      await age(ids.sms as number, 1);
      assert.equal((await reminders.run()).reminders, 1);
      const sms = await messages(ids.sms as number);
      assert.deepEqual(
        sms.map((m) => [m.channel, m.created_by]),
        [
          ["sms", "bulk test"],
          ["sms", "reminder"],
        ],
      );
      // The next one is counted from the reminder, not the first send.
      assert.equal((await reminders.run()).reminders, 0);
      await age(ids.sms as number, 3);
      assert.equal((await reminders.run()).reminders, 1);
      await age(ids.sms as number, 30);
      // Expiry reminders are not in play here (the links are 30 days long but the check uses now).
      const third = await reminders.run();
      assert.equal(third.reminders, 0, "at most 2 reminders");
      assert.equal((await messages(ids.sms as number)).length, 3);
      for (const name of ["active", "deactivated", "neither", "outside"]) {
        assert.equal((await messages(ids[name] as number)).filter((m) => m.created_by?.startsWith("reminder")).length, 0, name);
      }
    });

    it("sends once before expiry: link expiring within 2 days and nothing sent in the last day", async () => {
      const id = ids.email2 as number;
      const invitation = await app.ctx.invitations.current(id);
      await app.ctx
        .db("invitations")
        .where("id", invitation.id)
        .update({ expires_at: Date.now() + DAY });
      // Sent less than a day ago: not yet.
      assert.equal((await reminders.run()).beforeExpiry, 0);
      await age(id, 1.5);
      const first = await reminders.run();
      assert.equal(first.beforeExpiry, 1);
      assert.equal(first.reminders, 0, "the email person sent at the same time is not due for a normal reminder yet");
      const rows = await messages(id);
      assert.deepEqual(
        rows.map((m) => [m.channel, m.created_by]),
        [
          ["email", "bulk test"],
          ["email", "reminder before expiry"],
        ],
      );
      await age(id, 1.5);
      assert.equal((await reminders.run()).beforeExpiry, 0, "only once");
    });

    it("offers the bulk invitation on the people list and the group page", async () => {
      await createStaff(app.ctx, "frontdesk");
      const desk = new PageClient(app.url);
      await desk.signIn("frontdesk@example.com", ADMIN_PASSWORD);
      const list = await desk.get("/users");
      assert.match(list.text, /formaction="\/invite" formmethod="get"/);
      const group = await desk.get(`/groups/${groupId}`);
      assert.match(group.text, new RegExp(`href="/invite\\?group=${groupId}"`));
    });

    it("previews on GET /invite and queues on POST /invite", async () => {
      const desk = new PageClient(app.url);
      await desk.signIn("frontdesk@example.com", ADMIN_PASSWORD);
      const probe = await desk.get(`/invite?group=${groupId}`);
      assert.equal(probe.status, 200, probe.text.slice(0, 300));
      assert.match(probe.text, /id="invite-sms">[\s\S]*?<strong>1<\/strong>/);
      assert.match(probe.text, /id="invite-email">[\s\S]*?<strong>2<\/strong>/);
      assert.match(probe.text, /id="invite-neither">[\s\S]*?<strong>1<\/strong>/);
      const late = (await app.ctx.users.create(person({ email: "late@example.com" }), actor)).id;
      const preview = await desk.get(`/invite?ids=${late}&ids=${ids.active}`);
      assert.equal(preview.status, 200);
      assert.match(preview.text, /id="invite-email">[\s\S]*?<strong>1<\/strong>/);
      assert.match(preview.text, /id="invite-skipped"/);
      const sent = await desk.post("/invite", { ids: [String(late), String(ids.active)] });
      assert.equal(sent.status, 303, sent.text.slice(0, 300));
      assert.equal(sent.headers.get("location"), "/deliveries?done=bulk-invite");
      await waitFor("the bulk invitation to be queued", async () => (await messages(late)).length === 1);
      // The Deliveries page follows the run until it says it is done.
      await waitFor("the run to show as done", async () =>
        /id="bulk-runs"[\s\S]*?2 selected people[\s\S]*?All queued/.test((await desk.get("/deliveries")).text),
      );
      assert.equal((await desk.get("/invite")).status, 400, "no target");
    });
  });

  describe(`bulk invitation across a restart (${dialect})`, () => {
    let database: TestDatabase;
    before(async () => {
      database = await freshDatabase(dialect);
    });
    after(() => database?.drop());

    /** Invitation messages per person of `userIds`. */
    async function perPerson(app: NotifyTestApp, userIds: number[]): Promise<number[]> {
      const rows: Array<{ user_id: unknown; n: unknown }> = await app.ctx
        .db("outbox")
        .select("user_id")
        .count({ n: "*" })
        .where({ kind: INVITATION_KIND })
        .whereIn("user_id", userIds)
        .groupBy("user_id");
      const counts = new Map(rows.map((r) => [Number(r.user_id), Number(r.n)]));
      return userIds.map((id) => counts.get(id) ?? 0);
    }

    async function register(app: NotifyTestApp, n: number, prefix: string): Promise<{ groupId: number; people: number[] }> {
      const group = await app.ctx.groups.create(`${prefix} shift`, actor);
      const people: number[] = [];
      for (let i = 0; i < n; i++) {
        people.push((await app.ctx.users.create(person({ email: `${prefix}${i}@example.com` }), actor)).id);
      }
      await app.ctx.groups.addMembers(group.id, people, actor);
      return { groupId: group.id, people };
    }

    it("stopped in the middle, is finished by the next process: everyone invited, nobody twice", async () => {
      const first = await startNotifyApp(database, {}, { worker: false });
      const { groupId, people } = await register(first, 200, "night");
      const { id } = await first.notify.bulk.start({ groupId }, actor);
      await waitFor("the first batch to be recorded", async () => {
        const run = await first.ctx.db("bulk_invites").where({ id }).first();
        return Number(run.after_user_id) > 0;
      });
      await first.stop();

      const second = await startNotifyApp(database, {}, { worker: false });
      try {
        const before = await perPerson(second, people);
        assert.ok(before.includes(0), "the run was stopped before everyone was invited");
        assert.equal(await second.notify.bulk.resumeStale(), 1);
        assert.deepEqual(
          await perPerson(second, people),
          people.map(() => 1),
        );
        const [run] = await second.notify.bulk.recent(1);
        assert.equal(run?.state, "done");
        assert.equal(run?.queued, 200);
        assert.equal(await second.notify.bulk.resumeStale(), 0, "nothing left to resume");
      } finally {
        await second.stop();
      }
    });

    it("after a crash between sends and their progress record, sends nobody of that batch a second time", async () => {
      const app = await startNotifyApp(database, {}, { worker: false });
      try {
        const { groupId, people } = await register(app, 60, "crash");
        // What a process that died left: a run it owned, gone quiet, and the first sends of
        // its first batch queued without the cursor having moved.
        const [runId] = await app.ctx.db("bulk_invites").insert({
          target: JSON.stringify({ groupId }),
          actor: JSON.stringify(actor),
          state: "running",
          owner: "a process that died",
          heartbeat_at: Date.now() - 5 * 60_000,
          lease_expires_at: Date.now() - 5 * 60_000,
          created_at: Date.now() - 5 * 60_000,
        });
        for (const id of people.slice(0, 20)) await app.notify.invitations.send(id, "email", actor);

        assert.equal(await app.notify.bulk.resumeStale(), 1);
        assert.deepEqual(
          await perPerson(app, people),
          people.map(() => 1),
        );
        const run = await app.ctx.db("bulk_invites").where({ id: runId }).first();
        assert.equal(run.state, "done");
        assert.equal(Number(run.queued), 60);
      } finally {
        await app.stop();
      }
    });
  });
}
