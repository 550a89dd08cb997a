import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Knex } from "knex";
import { insertMemberships } from "../server/people/groups.repo.js";
import { insertImportedUsers, type UserRow } from "../server/people/users.repo.js";
import { startTestApp } from "../test/support/app.js";
import type { Dialect } from "../test/support/databases.js";
import { person, personRow, rng } from "./people-data.js";
import { percentile } from "./stats.js";

export const REDEEM_PEOPLE = Number(process.env.BENCH_REDEEM_PEOPLE ?? 3_000);
export const REDEEM_CONCURRENCY = Number(process.env.BENCH_REDEEM_CONCURRENCY ?? 8);
/** The offered load of the latency runs: the target throughput. */
export const REDEEM_RATE = Number(process.env.BENCH_REDEEM_RATE ?? 500);
const WARMUP = 200;

/** `serverCpuMs`: CPU time of this (the server's) process per request, user + system. */
export type LoadResult = {
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  n: number;
  seconds: number;
  serverCpuMs: number;
};
export type RedeemResult = {
  seedSeconds: number;
  invitationsSeconds: number;
  /** Closed loop, REDEEM_CONCURRENCY in flight: the most each can do. */
  healthz: LoadResult;
  redeem: LoadResult;
  /** Open loop at REDEEM_RATE per second: the latency at the target load. */
  healthzAtRate: LoadResult;
  redeemAtRate: LoadResult;
};

const LOAD_CLIENT = fileURLToPath(new URL("./http-load.mjs", import.meta.url));

/**
 * `count` requests (`bodies[i]` as JSON, or GETs) from the load client process: closed loop
 * with `concurrency` in flight (`{ concurrency }`), or open loop at a fixed `{ rate }` per second.
 */
export function load(url: string, count: number, mode: { concurrency: number } | { rate: number }, bodies: string[] | null) {
  const child = spawn(process.execPath, [LOAD_CLIENT], { stdio: ["pipe", "pipe", "pipe"] });
  let cpu: NodeJS.CpuUsage | null = null;
  child.stdin.end(JSON.stringify({ url, method: bodies ? "POST" : "GET", bodies, count, ...mode }));
  // The client says when its timed run starts (after its own warm-up), so that only that is charged.
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    if (d.includes("timed run starts")) cpu = process.cpuUsage();
    else process.stderr.write(d);
  });
  return new Promise<LoadResult>((resolve, reject) => {
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (out += d));
    child.once("error", reject);
    child.once("close", (code) => {
      if (code !== 0) return reject(new Error(`load client exited with ${code}`));
      const used = process.cpuUsage(cpu ?? undefined);
      const m = JSON.parse(out) as { latencies: number[]; seconds: number; failure: string | null };
      if (m.failure) return reject(new Error(m.failure));
      resolve({
        perSecond: count / m.seconds,
        p50: percentile(m.latencies, 50),
        p95: percentile(m.latencies, 95),
        p99: percentile(m.latencies, 99),
        n: count,
        seconds: m.seconds,
        serverCpuMs: (used.user + used.system) / 1000 / count,
      });
    });
  });
}

/** Pending people in a few groups each (redeeming updates their memberships too), straight through the repository. */
export async function seedPending(db: Knex, count: number): Promise<number[]> {
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
 * Redeem endpoint: pending people, each with an invitation, redeem their link over loopback
 * HTTP from a client process of its own — first as fast as REDEEM_CONCURRENCY requests in
 * flight allow (throughput), then at a steady REDEEM_RATE per second (latency at the target
 * load). Baseline in the same run, measured the same two ways: GET /healthz, the HTTP floor
 * of this process.
 */
export async function benchRedeem(dialect: Dialect): Promise<RedeemResult> {
  const app = await startTestApp(dialect);
  try {
    let t = performance.now();
    const ids = await seedPending(app.ctx.db, 2 * REDEEM_PEOPLE + WARMUP);
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
    const closedBodies = bodies.slice(0, REDEEM_PEOPLE);
    const openBodies = bodies.slice(REDEEM_PEOPLE, 2 * REDEEM_PEOPLE);
    const health = `${app.url}/healthz`;
    const closed = { concurrency: REDEEM_CONCURRENCY };
    const open = { rate: REDEEM_RATE };

    // Warm up JIT and caches (settings, statements) with people outside the samples.
    await load(url, WARMUP, closed, bodies.slice(2 * REDEEM_PEOPLE));
    await load(health, WARMUP * 5, closed, null);

    const healthz = await load(health, REDEEM_PEOPLE, closed, null);
    const redeem = await load(url, REDEEM_PEOPLE, closed, closedBodies);
    const healthzAtRate = await load(health, REDEEM_PEOPLE, open, null);
    const redeemAtRate = await load(url, REDEEM_PEOPLE, open, openBodies);

    const active = await app.ctx.db("users").where({ status: "active" }).count({ n: "*" }).first();
    if (Number(active?.n) !== ids.length) throw new Error(`expected ${ids.length} active people, found ${active?.n}`);
    return { seedSeconds, invitationsSeconds, healthz, redeem, healthzAtRate, redeemAtRate };
  } finally {
    await app.stop();
  }
}
