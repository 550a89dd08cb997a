import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { ConflictError } from "../../server/core/errors.js";
import { cliActor } from "../../server/core/events.js";
import { createPeople, type ImportsService } from "../../server/people/index.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { dialects } from "../support/databases.js";

const actor = cliActor("import lease test");

const csv = (rows: number, tag: string) => {
  const lines = ["first name,last name,email"];
  for (let i = 1; i <= rows; i++) lines.push(`Lease,${tag}${i},${tag.toLowerCase()}${i}@lease.example`);
  return Buffer.from(`${lines.join("\n")}\n`, "utf8");
};

/** Which audit entries an import has, by action. */
const audited = async (app: TestApp, id: number, action: string) =>
  Number(
    (
      await app.ctx
        .db("audit_log")
        .where({ action, target_type: "import", target_id: String(id) })
        .count({ n: "*" })
        .first()
    )?.n ?? 0,
  );

for (const dialect of await dialects()) {
  describe(`import runs under the work queue's lease on ${dialect}`, () => {
    let app: TestApp;
    /** A second instance's imports, on the same database and files. */
    let other: ImportsService;

    before(async () => {
      app = await startTestApp(dialect, { DEFAULT_COUNTRY: "ES" });
      other = createPeople({
        db: app.ctx.db,
        events: app.ctx.events,
        config: { dataDir: app.ctx.config.dataDir },
        settings: app.ctx.settings,
        apiKeys: app.ctx.apiKeys,
        profile: [],
      }).imports;
    });
    after(async () => app.stop());

    it("two claimers never both run one check or one import", async () => {
      const mine = app.ctx.imports;
      const imp = await mine.create(Readable.from([csv(30, "Twice")]), "twice.csv", actor);

      // A new upload is `checking` before its first check: both instances press "check" at once.
      const checks = await Promise.allSettled([mine.check(imp.id, actor), other.check(imp.id, actor)]);
      const checked = checks.filter((r) => r.status === "fulfilled");
      const refused = checks.filter((r) => r.status === "rejected");
      assert.equal(checked.length, 1, "exactly one claimer checks the file");
      assert.equal(refused.length, 1);
      assert.ok(refused[0]?.status === "rejected" && refused[0].reason instanceof ConflictError);
      assert.match((refused[0] as PromiseRejectedResult).reason.message, /has just been started by someone else/);
      assert.equal(await audited(app, imp.id, "import.checked"), 1);

      // Twice from the same instance, too.
      const again = await Promise.allSettled([mine.check(imp.id, actor), mine.check(imp.id, actor)]);
      assert.equal(again.filter((r) => r.status === "fulfilled").length, 1);
      assert.equal(await audited(app, imp.id, "import.checked"), 2);

      const applies = await Promise.allSettled([other.apply(imp.id, actor), mine.apply(imp.id, actor)]);
      assert.equal(applies.filter((r) => r.status === "fulfilled").length, 1, "exactly one claimer imports");
      const row = await app.ctx.db("imports").where({ id: imp.id }).first();
      assert.equal(row.state, "imported");
      assert.equal(row.lease_owner, null, "the finished run let go of the import");
      assert.equal(Number((await app.ctx.db("users").where({ import_id: imp.id }).count({ n: "*" }).first())?.n), 30);
      assert.equal(await audited(app, imp.id, "users.imported"), 1);
    });

    it("an import whose runner holds its lease is not taken for stopped, one whose lease ran out is", async () => {
      const imp = await app.ctx.imports.create(Readable.from([csv(3, "Held")]), "held.csv", actor);
      await app.ctx.imports.check(imp.id, actor);
      const now = Date.now();
      // Another instance runs it and has not reported for a while, but its lease still holds.
      await app.ctx
        .db("imports")
        .where({ id: imp.id })
        .update({ state: "importing", updated_at: now - 5 * 60_000, lease_owner: "elsewhere.1", lease_expires_at: now + 60_000 });
      assert.equal((await other.get(imp.id)).state, "importing");
      assert.equal((await other.recent(50)).find((i) => i.id === imp.id)?.state, "importing");

      // Its lease runs out: the runner stopped with its process.
      await app.ctx
        .db("imports")
        .where({ id: imp.id })
        .update({ lease_expires_at: now - 1 });
      const seen = await other.get(imp.id);
      assert.equal(seen.state, "interrupted");
      assert.equal(seen.canRecheck, true);
      const row = await app.ctx.db("imports").where({ id: imp.id }).first();
      assert.equal(row.lease_owner, null);
      // And it can be checked again at once.
      assert.equal((await app.ctx.imports.check(imp.id, actor)).state, "checked");
    });

    it("a run whose lease went to another claimer writes nothing more", async () => {
      const imp = await app.ctx.imports.create(Readable.from([csv(5000, "Taken")]), "taken.csv", actor);
      await app.ctx.imports.startCheck(imp.id, actor);
      // Another claimer takes the import before the run's first progress report.
      await app.ctx
        .db("imports")
        .where({ id: imp.id })
        .update({ lease_owner: "elsewhere.2", lease_expires_at: Date.now() + 60_000 });
      await app.ctx.imports.settled(imp.id);
      const row = await app.ctx.db("imports").where({ id: imp.id }).first();
      assert.equal(row.state, "checking", "the run that lost its lease recorded no outcome");
      assert.equal(row.lease_owner, "elsewhere.2");
      assert.equal(await audited(app, imp.id, "import.checked"), 0);
      assert.equal(await audited(app, imp.id, "import.failed"), 0);
    });
  });
}
