import { Worker } from "node:worker_threads";
import type { Knex } from "knex";
import { insertMemberships } from "../server/people/groups.repo.js";
import { insertImportedUsers, type UserRow } from "../server/people/users.repo.js";
import { startTestApp } from "../test/support/app.js";
import type { Dialect } from "../test/support/databases.js";
import { person, personRow, rng } from "./people-data.js";
import { percentile } from "./stats.js";

export const REDEEM_PEOPLE = Number(process.env.BENCH_REDEEM_PEOPLE ?? 3_000);
export const REDEEM_CONCURRENCY = Number(process.env.BENCH_REDEEM_CONCURRENCY ?? 8);
const WARMUP = 100;

export type LoadResult = { perSecond: number; p50: number; p95: number; p99: number; n: number; seconds: number };
export type RedeemResult = { seedSeconds: number; invitationsSeconds: number; healthz: LoadResult; redeem: LoadResult };

/**
 * The load generator, run on a worker thread as plain JavaScript: a real client never
 * shares the server's event loop, and on SQLite (a synchronous driver) an in-process
 * client would be charged for the server's queries and the other way round. Closed loop:
 * `concurrency` requests in flight over fetch's keep-alive connections.
 */
const LOAD_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const { url, method, bodies, count, concurrency } = workerData;
(async () => {
  const latencies = new Float64Array(count);
  let next = 0;
  let failure = null;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < count && !failure; i = next++) {
      const t = performance.now();
      const res = await fetch(url, bodies
        ? { method, headers: { "content-type": "application/json" }, body: bodies[i] }
        : { method });
      const text = await res.text();
      latencies[i] = performance.now() - t;
      if (res.status !== 200) failure = method + " " + url + " answered " + res.status + ": " + text.slice(0, 300);
    }
  }));
  parentPort.postMessage({ latencies, seconds: (performance.now() - start) / 1000, failure });
})().catch((err) => parentPort.postMessage({ failure: String(err && err.stack || err) }));
`;

/** `count` requests (`bodies[i]` as JSON, or GETs) from the load worker; throughput and latency. */
function load(url: string, count: number, concurrency: number, bodies: string[] | null): Promise<LoadResult> {
  const worker = new Worker(LOAD_WORKER, {
    eval: true,
    workerData: { url, method: bodies ? "POST" : "GET", bodies, count, concurrency },
  });
  return new Promise<LoadResult>((resolve, reject) => {
    worker.once("error", reject);
    worker.once("message", (m: { latencies: Float64Array; seconds: number; failure: string | null }) => {
      void worker.terminate();
      if (m.failure) return reject(new Error(m.failure));
      const latencies = Array.from(m.latencies);
      resolve({
        perSecond: count / m.seconds,
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        n: count,
        seconds: m.seconds,
      });
    });
  });
}

/** Pending people in a few groups each (redeeming updates their memberships too), straight through the repository. */
async function seedPending(db: Knex, count: number): Promise<number[]> {
  const rand = rng(11);
  const now = Date.now();
  const groupIds: number[] = [];
  for (let g = 1; g <= 10; g++) {
    const [id] = await db("groups").insert({
      name: `Group ${g}`,
      name_normalized: `group ${g}`,
      created_at: now,
      updated_at: now,
    });
    groupIds.push(Number(id));
  }
  const rows: Array<UserRow & { import_row: number }> = [];
  for (let i = 0; i < count; i++) {
    const p = person(i, rand);
    rows.push(personRow(p, i + 1, now - (count - i) * 1000, "pending"));
  }
  return db.transaction(async (trx) => {
    const ids = await insertImportedUsers(trx, 1, rows);
    await insertMemberships(
      trx,
      ids.flatMap((id, k) => [
        { group_id: groupIds[k % 10] as number, user_id: id, added_at: now },
        ...(k % 3 === 0 ? [{ group_id: groupIds[(k + 3) % 10] as number, user_id: id, added_at: now }] : []),
      ]),
    );
    return ids;
  });
}

/**
 * Redeem endpoint: `REDEEM_PEOPLE` pending people, each with an invitation, redeem their
 * link over loopback HTTP with `REDEEM_CONCURRENCY` requests in flight, from a worker thread. Baseline in the
 * same run: GET /healthz at the same concurrency (the HTTP floor of this process).
 */
export async function benchRedeem(dialect: Dialect): Promise<RedeemResult> {
  const app = await startTestApp(dialect);
  try {
    let t = performance.now();
    const ids = await seedPending(app.ctx.db, REDEEM_PEOPLE + WARMUP);
    const seedSeconds = (performance.now() - t) / 1000;

    t = performance.now();
    const tokens: string[] = new Array(ids.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = next++; i < ids.length; i = next++) tokens[i] = (await app.ctx.invitations.current(ids[i] as number)).token;
      }),
    );
    const invitationsSeconds = (performance.now() - t) / 1000;

    const url = `${app.url}/api/v1/invitations/redeem`;
    const bodies = tokens.map((token) => JSON.stringify({ token, channel: "qr" }));
    const health = `${app.url}/healthz`;

    // Warm up connections, JIT and caches (settings, statements) with people outside the sample.
    await load(url, WARMUP, REDEEM_CONCURRENCY, bodies.slice(REDEEM_PEOPLE));
    await load(health, WARMUP * 5, REDEEM_CONCURRENCY, null);

    const baseline = await load(health, REDEEM_PEOPLE, REDEEM_CONCURRENCY, null);
    const redeem = await load(url, REDEEM_PEOPLE, REDEEM_CONCURRENCY, bodies.slice(0, REDEEM_PEOPLE));

    const active = await app.ctx.db("users").where({ status: "active" }).count({ n: "*" }).first();
    if (Number(active?.n) !== ids.length) throw new Error(`expected ${ids.length} active people, found ${active?.n}`);
    return { seedSeconds, invitationsSeconds, healthz: baseline, redeem };
  } finally {
    await app.stop();
  }
}
