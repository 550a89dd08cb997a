import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { call, type Reply } from "../support/api-client.js";
import { dialects, freshDatabase, type TestDatabase } from "../support/databases.js";
import { type Instance, prepareDatabase, sharedEnv, startInstance } from "../support/instances.js";
import { type IppPrinter, requireIpp, startIppPrinter } from "../support/ipp-printer.js";
import { qrCodesPerPage } from "../support/pdf.js";
import { waitFor } from "../support/process.js";
import { redisReachable } from "../support/redis.js";
import { requireOrSkip } from "../support/services.js";
import { SmtpCapture } from "../support/smtp-capture.js";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

const hasMariaDb = (await dialects()).includes("mariadb");
const ok =
  hasMariaDb &&
  requireOrSkip("Redis", await redisReachable(REDIS_URL), "apt-get install redis-server, or set TEST_REDIS_URL") &&
  requireIpp();

/** Runs `work` over `items`, `lanes` at a time. */
async function inLanes<T>(items: T[], lanes: number, work: (item: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (let i = next++; i < items.length; i = next++) await work(items[i] as T, i);
    }),
  );
}

describe("two service processes on one MariaDB database and one Redis", {
  skip: !ok && "MariaDB, Redis or ippeveprinter missing",
}, () => {
  let database: TestDatabase;
  let smtp: SmtpCapture;
  let printer: IppPrinter;
  let key: string;
  let a: Instance;
  let b: Instance;

  before(async () => {
    database = await freshDatabase("mariadb");
    smtp = await SmtpCapture.start();
    printer = await startIppPrinter();
    const env = sharedEnv(database.env, {
      REDIS_URL,
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      MAIL_FROM: "invites@acme.example",
      PRINT_BATCH_SIZE: "10",
      PRINT_RETRY_SECONDS: "1",
    });
    key = await prepareDatabase(env);
    [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
  });
  after(async () => {
    await Promise.all([a?.kill("SIGTERM"), b?.kill("SIGTERM")]);
    await printer?.stop();
    await smtp?.close();
    await database?.drop();
  });

  const register = async (n: number, prefix: string): Promise<number[]> => {
    const ids: number[] = new Array(n);
    await inLanes([...Array(n).keys()], 16, async (i) => {
      const via = i % 2 ? b : a;
      const r = await call(via.app, "POST", "/users", {
        key,
        body: { firstName: `${prefix}${i}`, lastName: "Núñez", email: `${prefix.toLowerCase()}${i}@acme.example` },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      ids[i] = r.body.id;
    });
    return ids;
  };

  it("batch runs started on both at once print every letter once", async () => {
    const printerReply = await call(a.app, "POST", "/printers", {
      key,
      body: { name: "Lobby", uri: printer.uri, driver: "ipp", siteDefault: true },
    });
    assert.equal(printerReply.status, 201, JSON.stringify(printerReply.body));
    const people = await register(60, "Letter");
    const queued = await call(b.app, "POST", "/print-jobs", {
      key,
      body: { printerId: printerReply.body.id, userIds: people, when: "tonight" },
    });
    assert.ok(queued.status < 300, JSON.stringify(queued.body));

    // The schedule on one, the button on the other, and an impatient second click on each.
    const runs: Reply[] = await Promise.all([a, b, a, b].map((via) => call(via.app, "POST", "/print-batches/run", { key })));
    for (const r of runs) assert.equal(r.status, 201, JSON.stringify(r.body));
    const jobIds = runs.flatMap((r) => r.body.jobs.map((j: { id: number }) => j.id));
    assert.equal(
      runs.reduce((n, r) => n + r.body.jobs.reduce((m: number, j: { letters: number }) => m + j.letters, 0), 0),
      60,
      "the runs planned 60 letters between them",
    );
    for (const id of jobIds) {
      await waitFor(
        async () => (await call(a.app, "GET", `/print-jobs/${id}`, { key })).body.status === "completed",
        120_000,
        `print job #${id} to print`,
      );
    }
    const codes: string[] = [];
    for (const doc of printer.spooled()) for (const c of await qrCodesPerPage(doc.pdf)) if (c) codes.push(c);
    assert.equal(codes.length, 60, "sixty letters reached the printer");
    assert.equal(new Set(codes).size, 60, "none of them twice");
  });

  // Above run-tests' 5 minutes a test: 1,000 people registered and mailed through two processes.
  it("1,000 invitation emails queued through both are each delivered once", { timeout: 600_000 }, async () => {
    const people = await register(1000, "Mail");
    await inLanes(people, 16, async (id, i) => {
      const via = i % 2 ? a : b;
      const r = await call(via.app, "POST", `/users/${id}/invitation/send`, { key, body: { channel: "email" } });
      assert.ok(r.status < 300, JSON.stringify(r.body));
    });
    const mine = () => smtp.mails.filter((m) => m.envelopeTo.some((t) => t.startsWith("mail")));
    await waitFor(() => mine().length >= 1000, 300_000, "1,000 emails to arrive");
    // Anything sent twice would arrive within a few more seconds.
    await new Promise((r) => setTimeout(r, 3_000));
    const perRecipient = new Map<string, number>();
    for (const m of mine()) for (const to of m.envelopeTo) perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1);
    assert.equal(perRecipient.size, 1000, "every person got their invitation");
    assert.deepEqual(
      [...perRecipient].filter(([, n]) => n !== 1),
      [],
      "nobody got it twice",
    );
  });
});
