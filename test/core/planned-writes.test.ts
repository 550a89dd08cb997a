import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Knex } from "knex";
import { closeDb, createDb, multiStatementDb } from "../../server/core/db/knex.js";
import { runPlannedWrites } from "../../server/core/db/planned-writes.js";
import { dialects, freshDatabase, type TestDatabase } from "../support/databases.js";

for (const dialect of await dialects()) {
  describe(`planned writes on ${dialect}`, () => {
    let database: TestDatabase;
    let db: Knex;
    before(async () => {
      database = await freshDatabase(dialect);
      db = createDb(
        dialect === "sqlite"
          ? { client: "sqlite", filename: `${database.dataDir}/invite-station.sqlite` }
          : { client: "mysql", url: database.env.DATABASE_URL as string },
      );
      await db.schema.createTable("counters", (t) => {
        t.string("name", 20).primary();
        t.integer("n").notNullable();
      });
      await db("counters").insert([
        { name: "a", n: 0 },
        { name: "b", n: 0 },
      ]);
    });
    after(async () => {
      await closeDb(db);
      await database.drop();
    });

    const counts = async () =>
      Object.fromEntries((await db("counters").select("name", "n")).map((r) => [String(r.name), Number(r.n)]));

    it("runs every plan's writes and tells each plan its own row counts", async () => {
      const seen: number[][] = [];
      const held = await multiStatementDb(db).transaction((trx) =>
        runPlannedWrites(trx, [
          {
            writes: [
              trx("counters").where({ name: "a" }).increment("n", 1),
              trx("counters").where({ name: "zzz" }).increment("n", 1),
            ],
            holds: (c) => {
              seen.push(c);
              return true;
            },
          },
          {
            writes: [trx("counters").whereIn("name", ["a", "b"]).increment("n", 10)],
            holds: (c) => {
              seen.push(c);
              return c[0] === 2;
            },
          },
        ]),
      );
      assert.equal(held, true);
      assert.deepEqual(seen, [[1, 0], [2]], "each plan sees the counts of its own writes, in order");
      assert.deepEqual(await counts(), { a: 11, b: 10 });
    });

    it("says when a plan does not hold, so the caller can roll the whole change back", async () => {
      const before = await counts();
      await assert.rejects(
        multiStatementDb(db).transaction(async (trx) => {
          const held = await runPlannedWrites(trx, [
            { writes: [trx("counters").where({ name: "b" }).increment("n", 5)], holds: (c) => c[0] === 1 },
            // Another instance got there first: the row the plan counted on is not there.
            { writes: [trx("counters").where({ name: "gone" }).decrement("n", 1)], holds: (c) => c[0] === 1 },
          ]);
          if (!held) throw new Error("a plan did not hold");
        }),
        /a plan did not hold/,
      );
      assert.deepEqual(await counts(), before, "nothing of the change stays");
    });

    it("binds values, never splices them into the statements", async () => {
      const name = "a'; DELETE FROM counters; --";
      await multiStatementDb(db).transaction((trx) =>
        runPlannedWrites(trx, [{ writes: [trx("counters").where({ name }).increment("n", 1)], holds: (c) => c[0] === 0 }]),
      );
      assert.equal(Object.keys(await counts()).length, 2);
    });
  });
}
