import assert from "node:assert/strict";
import { copyFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import { cliActor } from "../../server/core/events.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { personInput } from "../support/people.js";

/** People in the database file itself, leaving out what is still only in its WAL. */
function peopleInFileAlone(app: TestApp): number {
  const copy = path.join(app.database.dataDir, "file-alone.sqlite");
  copyFileSync(path.join(app.database.dataDir, "invite-station.sqlite"), copy);
  const db = new Database(copy, { readonly: true });
  try {
    return (db.prepare("select count(*) as n from users").get() as { n: number }).n;
  } catch {
    return 0; // right after start even the tables may still be in the WAL only
  } finally {
    db.close();
  }
}

describe("SQLite checkpoints on a thread of its own", () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp("sqlite");
  });
  after(() => app.stop());

  it("copies new writes from the WAL into the database file while the service runs", async () => {
    for (let i = 0; i < 3; i++) {
      await app.ctx.users.create(personInput({ firstName: "Wal", lastName: `Person ${i}` }), cliActor());
    }
    // Far below SQLite's own threshold: only the checkpoint thread moves them into the file.
    let inFile = peopleInFileAlone(app);
    for (let i = 0; i < 100 && inFile < 3; i++) {
      await new Promise((r) => setTimeout(r, 100));
      inFile = peopleInFileAlone(app);
    }
    assert.equal(inFile, 3);
  });
});
