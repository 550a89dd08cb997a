import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Knex } from "knex";
import { againOnDeadlock, isDeadlock } from "../../server/core/db/deadlock.js";
import { createDb } from "../../server/core/db/knex.js";
import { dialects, freshDatabase, type TestDatabase } from "../support/databases.js";

/**
 * Two transactions that lock the same two rows in opposite orders: InnoDB rolls one back
 * (ER_LOCK_DEADLOCK). Run through againOnDeadlock, the victim runs again and both land.
 */
describe("a deadlock victim on MariaDB", { skip: !(await dialects()).includes("mariadb") && "MariaDB missing" }, () => {
  let database: TestDatabase;
  let db: Knex;
  before(async () => {
    database = await freshDatabase("mariadb");
    db = createDb({ client: "mysql", url: database.env.DATABASE_URL as string } as never);
    await db.schema.createTable("counters", (t) => {
      t.integer("id").primary();
      t.integer("n").notNullable();
    });
  });
  after(async () => {
    await db?.destroy();
    await database?.drop();
  });

  /** Adds one to `first`, waits until the other transaction holds its row, then adds one to `second`. */
  const crossing = (first: number, second: number, holding: { count: number }) => async () =>
    db.transaction(async (trx) => {
      await trx("counters").where({ id: first }).increment("n", 1);
      holding.count++;
      while (holding.count < 2) await new Promise((r) => setTimeout(r, 5));
      await trx("counters").where({ id: second }).increment("n", 1);
    });

  it("is rolled back whole without it, and runs again to the end with it", async () => {
    await db("counters").insert([
      { id: 1, n: 0 },
      { id: 2, n: 0 },
    ]);
    const bare = { count: 0 };
    const outcomes = await Promise.allSettled([crossing(1, 2, bare)(), crossing(2, 1, bare)()]);
    const failed = outcomes.filter((o) => o.status === "rejected");
    assert.equal(failed.length, 1, "InnoDB picked one victim");
    assert.ok(isDeadlock((failed[0] as PromiseRejectedResult).reason));
    assert.deepEqual(
      (await db("counters").orderBy("id")).map((r) => Number(r.n)),
      [1, 1],
      "only the winner's two increments landed",
    );

    const retried = { count: 0 };
    await Promise.all([againOnDeadlock(crossing(1, 2, retried)), againOnDeadlock(crossing(2, 1, retried))]);
    assert.deepEqual(
      (await db("counters").orderBy("id")).map((r) => Number(r.n)),
      [3, 3],
      "both transactions landed, each once",
    );
  });
});
