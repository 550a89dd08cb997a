import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Knex } from "knex";
import { createDb } from "../../server/core/db/knex.js";
import { migrateLatest } from "../../server/core/db/migrate.js";
import { JobRegistry } from "../../server/core/jobs/registry.js";
import { createLogger } from "../../server/core/log.js";
import { dialects, freshDatabase, type TestDatabase } from "../support/databases.js";

for (const dialect of await dialects()) {
  describe(`scheduled jobs on ${dialect}`, () => {
    let database: TestDatabase;
    let dbs: Knex[];
    before(async () => {
      database = await freshDatabase(dialect);
      const config =
        dialect === "sqlite"
          ? { client: "sqlite" as const, filename: `${database.dataDir}/invite-station.sqlite` }
          : { client: "mysql" as const, url: database.env.DATABASE_URL as string };
      // Two "instances": two pools on the same database.
      dbs = [createDb(config), createDb(config)];
      await migrateLatest(dbs[0] as Knex);
    });
    after(async () => {
      for (const db of dbs) await db.destroy();
      await database.drop();
    });

    it("runs a scheduled tick once across instances sharing the database", async () => {
      let runs = 0;
      const registries = dbs.map((db) => new JobRegistry(db, createLogger("silent")));
      for (const r of registries) {
        r.register({
          name: "count",
          schedule: "* * * * *",
          leaseSeconds: 60,
          run: async () => {
            runs++;
            await new Promise((res) => setTimeout(res, 50));
          },
        });
      }
      const slot = Math.floor(Date.now() / 60_000);
      const ran = await Promise.all(registries.map((r) => r.runNow("count", slot)));
      assert.deepEqual(ran.sort(), [false, true]);
      // The same minute later (an instance whose clock lags) does not run it again…
      assert.equal(await (registries[1] as JobRegistry).runNow("count", slot), false);
      // …the next minute does, and a run asked for by hand always may.
      assert.equal(await (registries[1] as JobRegistry).runNow("count", slot + 1), true);
      assert.equal(await (registries[0] as JobRegistry).runNow("count"), true);
      assert.equal(runs, 3);
    });
  });
}
