import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Knex } from "knex";
import { createDb } from "../../server/core/db/knex.js";
import { migrateLatest } from "../../server/core/db/migrate.js";
import { WorkQueue } from "../../server/core/work/work-queue.js";
import { dialects, freshDatabase, type TestDatabase } from "../support/databases.js";

/** The outbox table as plain work: any table with a holder and an expiry column will do. */
const spec = { name: "test", table: "outbox", key: "id", owner: "claimed_by", expires: "next_attempt_at" };

async function addItems(db: Knex, n: number): Promise<number[]> {
  const ids: number[] = [];
  const now = Date.now();
  for (let i = 0; i < n; i++) {
    const [id] = await db("outbox").insert({
      kind: "test",
      channel: "email",
      recipient: `item${i}@example.com`,
      payload: "{}",
      state: "queued",
      attempts: 0,
      next_attempt_at: 0,
      created_at: now,
      updated_at: now,
    });
    ids.push(Number(id));
  }
  return ids;
}

for (const dialect of await dialects()) {
  describe(`the leased work queue on ${dialect}`, () => {
    let database: TestDatabase;
    let dbs: Knex[];
    before(async () => {
      database = await freshDatabase(dialect);
      const config =
        dialect === "sqlite"
          ? { client: "sqlite" as const, filename: `${database.dataDir}/invite-station.sqlite` }
          : { client: "mysql" as const, url: database.env.DATABASE_URL as string };
      // Four "instances": four pools (SQLite: four connections) on one database.
      dbs = [createDb(config), createDb(config), createDb(config), createDb(config)];
      await migrateLatest(dbs[0] as Knex);
    });
    after(async () => {
      for (const db of dbs) await db.destroy();
      await database.drop();
    });

    it("never lets two claimers win the same row, however many claim at once", async () => {
      const ids = await addItems(dbs[0] as Knex, 300);
      const queues = dbs.flatMap((db) => [new WorkQueue(db, spec), new WorkQueue(db, spec)]);
      const won = new Map<number, number>();
      await Promise.all(
        queues.map(async (q) => {
          for (;;) {
            const claim = await q.claim({ ready: (w) => void w.where({ state: "queued" }), limit: 7, leaseMs: 60_000 });
            if (!claim.rows.length) return;
            for (const row of claim.rows) {
              won.set(Number(row.id), (won.get(Number(row.id)) ?? 0) + 1);
              assert.ok(await q.finish(claim.token, Number(row.id), { state: "sent" }, undefined, 0));
            }
          }
        }),
      );
      assert.equal(won.size, ids.length, "every row was taken");
      assert.deepEqual(
        [...won.values()].filter((n) => n !== 1),
        [],
        "no row was taken twice",
      );
    });

    it("several claimers taking the whole queue at once, as batch runs do, all finish and share no row", async () => {
      // Each claim updates every free row at once, so they all wait on each other's rows; a
      // claim InnoDB picks as a deadlock victim runs again (see test/core/deadlock.test.ts).
      for (let round = 0; round < 5; round++) {
        const ids = await addItems(dbs[0] as Knex, 60);
        const queues = dbs.flatMap((db) => [new WorkQueue(db, spec), new WorkQueue(db, spec)]);
        const ready = (w: Knex.QueryBuilder) => void w.where({ state: "queued" }).whereIn("id", ids);
        const claims = await Promise.all(
          queues.map((q) => q.claim({ ready, orderBy: [{ column: "id", order: "desc" }], leaseMs: 60_000 })),
        );
        const won = claims.flatMap((c) => c.rows.map((r) => Number(r.id)));
        assert.equal(won.length, ids.length, `round ${round}: every row was taken once`);
        assert.equal(new Set(won).size, ids.length, `round ${round}: no row was taken twice`);
        await Promise.all(
          claims.map((c, i) =>
            (queues[i] as WorkQueue).finishMany(
              c.token,
              c.rows.map((r) => Number(r.id)),
              { state: "sent", next_attempt_at: 0 },
            ),
          ),
        );
      }
    });

    it("takes over a lease that ran out; the old holder can no longer write", async () => {
      const [id] = await addItems(dbs[0] as Knex, 1);
      const first = new WorkQueue(dbs[0] as Knex, spec);
      const second = new WorkQueue(dbs[1] as Knex, spec);
      const ready = (w: Knex.QueryBuilder) => void w.where({ id });
      const a = await first.claim({ ready, leaseMs: 50 });
      assert.equal(a.rows.length, 1);
      assert.equal((await second.claim({ ready, leaseMs: 60_000 })).rows.length, 0, "held while the lease runs");
      await new Promise((r) => setTimeout(r, 80));
      const b = await second.claim({ ready, leaseMs: 60_000 });
      assert.equal(b.rows.length, 1);
      assert.equal(b.takenOver, 1, "counted as a take-over");
      assert.equal(await first.update(a.token, id as number, { last_error: "late" }), false, "the old holder's write is refused");
      assert.equal(await first.finish(a.token, id as number, { state: "sent" }), false);
      assert.equal(await second.renew(b.token, 60_000), 1);
      assert.equal(await second.update(b.token, id as number, { last_error: "mine" }), true);
    });

    it("a released row is free at once, without waiting for the lease; a finished one stays with its outcome", async () => {
      const [x, y] = (await addItems(dbs[0] as Knex, 2)) as [number, number];
      const q = new WorkQueue(dbs[0] as Knex, spec);
      const other = new WorkQueue(dbs[1] as Knex, spec);
      const claim = await q.claim({ keys: [x, y], leaseMs: 60_000 });
      assert.equal(claim.rows.length, 2);
      assert.equal(await q.release(claim.token, [x]), 1);
      assert.ok(await q.finish(claim.token, y, { state: "sent" }, undefined, 0));
      const again = await other.claim({ keys: [x, y], ready: (w) => void w.where({ state: "queued" }), leaseMs: 60_000 });
      assert.deepEqual(
        again.rows.map((r) => Number(r.id)),
        [x],
      );
      assert.equal(again.takenOver, 0, "a release is not a take-over");
    });

    it("a graceful stop lets go of all its holder's claims and nobody else's", async () => {
      const ids = await addItems(dbs[0] as Knex, 4);
      const mine = new WorkQueue(dbs[0] as Knex, spec);
      const theirs = new WorkQueue(dbs[0] as Knex, spec);
      await mine.claim({ keys: ids.slice(0, 2), leaseMs: 60_000 });
      const kept = await theirs.claim({ keys: ids.slice(2), leaseMs: 60_000 });
      assert.equal(await mine.releaseAll(), 2);
      assert.equal(await theirs.renew(kept.token, 60_000), 2, "the other holder still holds its rows");
    });
  });
}
