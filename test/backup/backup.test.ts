import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { cliActor } from "../../server/core/events.js";
import { startOn, type TestApp } from "../support/app.js";
import { dialects, freshDatabase, type TestDatabase } from "../support/databases.js";
import { personInput } from "../support/people.js";
import { runCli } from "../support/process.js";

for (const dialect of await dialects()) {
  describe(`cli backup and restore (${dialect})`, () => {
    const cleanup: Array<() => Promise<void> | void> = [];
    after(async () => {
      for (const c of cleanup.reverse()) await c();
    });

    it("a backup taken during a stream of joins and new people restores to exactly one moment", async () => {
      const source: TestDatabase = await freshDatabase(dialect);
      cleanup.push(() => source.drop());
      let app: TestApp | null = await startOn(source);
      cleanup.push(() => app?.stop());
      const { ctx } = app;
      // Before: people, their links, a print queue for tonight.
      const waiting: Array<{ id: number; token: string }> = [];
      for (let i = 0; i < 40; i++) {
        const user = await ctx.users.create(personInput({ firstName: `Before${i}`, lastName: "Backup" }), cliActor());
        waiting.push({ id: user.id, token: (await ctx.invitations.current(user.id)).token });
      }
      await ctx.print.jobs.queueTonight(
        null,
        waiting.slice(30).map((w) => w.id),
        cliActor(),
      );
      const queued = (await ctx.db("print_queue").select("user_id").orderBy("user_id")).map((r) => Number(r.user_id));
      assert.equal(queued.length, 10);

      // The stream, until the backup is done: a new person is registered, then joins.
      const joined: number[] = [];
      const created: number[] = [];
      const tokens = new Map<number, string>();
      let stop = false;
      let streamError: unknown = null;
      const stream = (async () => {
        for (let i = 0; !stop; i++) {
          const user = await ctx.users.create(personInput({ firstName: `During${i}`, lastName: "Backup" }), cliActor());
          created.push(user.id);
          const token = (await ctx.invitations.current(user.id)).token;
          tokens.set(user.id, token);
          await ctx.invitations.redeem(token, "link", "backup-test");
          joined.push(user.id);
        }
      })().catch((err) => {
        streamError = err;
      });
      const joinedBefore = joined.length;
      const createdBefore = created.length;
      const dir = path.join(mkdtempSync(path.join(tmpdir(), "invst-backup-")), "snapshot");
      cleanup.push(() => rmSync(path.dirname(dir), { recursive: true, force: true }));
      const made = await runCli(["backup", dir], source.env);
      const joinedAfter = joined.length;
      const createdAfter = created.length;
      stop = true;
      await stream;
      assert.equal(streamError, null);
      assert.equal(made.code, 0, made.stderr);
      assert.match(made.stdout, /^backup of the (sqlite|mysql) database written to /);

      // Not over a running service.
      const refused = await runCli(["restore", dir], source.env);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /a service is running on DATA_DIR/);

      await app.stop();
      app = null;
      const target = await freshDatabase(dialect);
      cleanup.push(() => target.drop());
      const restored = await runCli(["restore", dir], target.env);
      assert.equal(restored.code, 0, restored.stderr);
      const back = await startOn(target);
      cleanup.push(() => back.stop());

      // One moment: the joins and new people are each a prefix of their sequence, with
      // everything done before the backup began and nothing begun after it ended.
      const active = (await back.ctx.db("users").where({ status: "active" }).select("id").orderBy("id")).map((r) => Number(r.id));
      const during = (await back.ctx.db("users").where("first_name", "like", "During%").select("id").orderBy("id")).map((r) =>
        Number(r.id),
      );
      assert.deepEqual(active, joined.slice(0, active.length), "joins: a prefix");
      assert.deepEqual(during, created.slice(0, during.length), "new people: a prefix");
      assert.ok(
        active.length >= joinedBefore && active.length <= joinedAfter,
        `joins ${joinedBefore} ≤ ${active.length} ≤ ${joinedAfter}`,
      );
      assert.ok(during.length >= createdBefore && during.length <= createdAfter);
      assert.ok(during.length === active.length || during.length === active.length + 1, "a person and their join go together");
      assert.ok(joinedAfter > joinedBefore, "the stream ran while the backup was taken");
      const restoredQueue = (await back.ctx.db("print_queue").select("user_id").orderBy("user_id")).map((r) => Number(r.user_id));
      assert.deepEqual(restoredQueue, queued, "the print queue");

      // The links of the people still waiting work on the restored service (same secret key).
      const pending = waiting;
      const res = await back.ctx.invitations.redeem((pending[0] as { token: string }).token, "link", "after-restore");
      assert.equal(res.user.id, (pending[0] as { id: number }).id);
      // A person who joined before the backup cannot join again.
      await assert.rejects(
        back.ctx.invitations.redeem(tokens.get(active[0] as number) as string, "link", "after-restore"),
        "a used link stays used",
      );
    });
  });
}
