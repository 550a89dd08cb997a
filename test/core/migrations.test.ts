import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Knex } from "knex";
import { migrationSource } from "../../migrations/index.js";
import { closeDb, createDb } from "../../server/core/db/knex.js";
import { migrateLatest, migrationStatus } from "../../server/core/db/migrate.js";
import { dialects, freshDatabase, type TestDatabase } from "../support/databases.js";
import { ROOT } from "../support/process.js";

/**
 * The order migrations run in, as installs have applied them. Knex refuses to run when a
 * migration it recorded is missing, and an install applies new ones in this order: append
 * only — never reorder, rename or remove (see migrations/README.md).
 */
const ORDER = [
  "001_foundation",
  "002_invitations",
  "003_outbox",
  "004_phone_otp",
  "005_webhooks",
  "008_branding",
  "009_status_count_shards",
  "006_kiosks",
  "007_printing",
  "010_bulk_invites",
  "011_work_queue",
  "014_admin_language",
  "012_limit_locks",
  "013_consent_history",
  "015_invitation_opened",
  "016_imports_lease",
  "017_print_job_plan",
  "018_audit_summary_key",
  "019_import_error_key",
];

const DIALECTS = await dialects();

describe("migrations", () => {
  it("run in the pinned order", async () => {
    assert.deepEqual(await migrationSource.getMigrations([]), ORDER);
  });

  it("are all listed: every migration file is in the list, once", () => {
    const files = readdirSync(path.join(ROOT, "migrations"))
      .filter((f) => /^\d{3}_.+\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ""))
      .sort();
    assert.deepEqual([...ORDER].sort(), files);
    assert.equal(new Set(ORDER).size, ORDER.length);
  });

  for (const dialect of DIALECTS) {
    it(`apply in that order on a fresh ${dialect} database, and then apply nothing`, async () => {
      const database = await freshDatabase(dialect);
      const db = createDb(
        dialect === "sqlite"
          ? { client: "sqlite", filename: `${database.dataDir}/invite-station.sqlite` }
          : { client: "mysql", url: database.env.DATABASE_URL as string },
      );
      try {
        assert.deepEqual(await migrateLatest(db), ORDER, dialect);
        const recorded = (await db("knex_migrations").orderBy("id").select("name")).map((r) => String(r.name));
        assert.deepEqual(recorded, ORDER, `${dialect}: knex_migrations records them in order`);
        assert.deepEqual(await migrateLatest(db), [], `${dialect}: nothing is applied twice`);
        assert.deepEqual((await migrationStatus(db)).pending, []);
      } finally {
        await closeDb(db);
        await database.drop();
      }
    });
  }
});

describe("an install that applied the migrations up to one of them", () => {
  let database: TestDatabase;
  let db: Knex;
  before(async () => {
    database = await freshDatabase("sqlite");
    db = createDb({ client: "sqlite", filename: `${database.dataDir}/invite-station.sqlite` });
  });
  after(async () => {
    await closeDb(db);
    await database.drop();
  });

  it("applies the rest, in order, on its next start", async () => {
    const upTo = ORDER.indexOf("011_work_queue") + 1;
    await db.migrate.up({ migrationSource }); // 001
    for (let i = 1; i < upTo; i++) await db.migrate.up({ migrationSource });
    assert.deepEqual((await migrationStatus(db)).applied, ORDER.slice(0, upTo));
    assert.deepEqual(await migrateLatest(db), ORDER.slice(upTo));
  });
});
