import assert from "node:assert/strict";
import { mkdirSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { cliActor } from "../../server/core/events.js";
import { call } from "../support/api-client.js";
import { createApiKey, startOn, type TestApp } from "../support/app.js";
import { freshDatabase, type TestDatabase } from "../support/databases.js";
import { waitFor } from "../support/notify-app.js";
import { personInput } from "../support/people.js";

/** Every file and folder under `dir`, with its permission bits. */
function walk(dir: string): Array<{ file: string; mode: number; isDir: boolean }> {
  const out = [{ file: dir, mode: statSync(dir).mode & 0o777, isDir: true }];
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    const st = statSync(file);
    if (st.isDirectory()) out.push(...walk(file));
    else out.push({ file, mode: st.mode & 0o777, isDir: false });
  }
  return out;
}

describe("files the service creates are private to its user", () => {
  let database: TestDatabase;
  let app: TestApp;
  let dataDir: string;

  before(async () => {
    database = await freshDatabase("sqlite");
    // A DATA_DIR the operator made beforehand with the usual 0755 (the finding 8).
    dataDir = path.join(database.dataDir, "data");
    mkdirSync(dataDir, { mode: 0o755 });
    app = await startOn({ ...database, env: { DATA_DIR: dataDir } });
  });
  after(async () => {
    await app.stop();
    await database.drop();
  });

  it("keeps DATA_DIR 0700 and the database, WAL, shared memory, secret and outbox files 0600", async () => {
    // An email without SMTP_URL goes to DATA_DIR/outbox; a write fills the WAL.
    const user = await app.ctx.users.create(
      personInput({ firstName: "Pia", lastName: "Privat", email: "pia@example.com" }),
      cliActor(),
    );
    const delivery = await app.ctx.notify.invitations.send(user.id, "email", cliActor());
    await waitFor("the email file (saved: no mail server)", async () =>
      (await app.ctx.notify.outbox.get(delivery.id)).state === "saved" ? true : undefined,
    );
    const key = await createApiKey(app.ctx);
    assert.equal((await call(app, "GET", `/users/${user.id}`, { key })).status, 200);

    const entries = walk(dataDir);
    const names = entries.map((e) => path.relative(dataDir, e.file));
    for (const expected of ["invite-station.sqlite", "invite-station.sqlite-wal", "invite-station.sqlite-shm", "secret.key"]) {
      assert.ok(names.includes(expected), `${expected} exists (${names.join(", ")})`);
    }
    assert.ok(
      names.some((n) => /^outbox\/message-\d+\.eml$/.test(n)),
      `an outbox file exists (${names.join(", ")})`,
    );
    for (const e of entries) {
      assert.equal(e.mode.toString(8), e.isDir ? "700" : "600", `${path.relative(dataDir, e.file) || "DATA_DIR"}`);
    }
  });
});
