import type { Knex } from "knex";
import { dialectOf } from "./knex.js";

/**
 * Writes of one transaction that do not depend on each other's results, and the test their
 * row counts must pass for the change to stand (when it fails, the caller rolls back).
 */
export type PlannedWrites = {
  writes: Knex.QueryBuilder[];
  holds: (counts: number[]) => boolean;
};

/**
 * Runs the plans' writes in the transaction and tells whether every plan holds.
 *
 * On MySQL/MariaDB the writes go to the server as one multi-statement query: one round trip
 * instead of one each. Under load each round trip is a wait for a busy event loop and a
 * wake-up of the server's thread, and a redemption's latency was mostly such waits. The
 * transaction must come from `multiStatementDb` there. On SQLite (in process, nothing to
 * save) they run one after another.
 */
export async function runPlannedWrites(trx: Knex.Transaction, plans: PlannedWrites[]): Promise<boolean> {
  const writes = plans.flatMap((p) => p.writes);
  const counts = dialectOf(trx) === "mysql" ? await oneRoundTrip(trx, writes) : await oneByOne(writes);
  let at = 0;
  return plans.every((p) => {
    const own = counts.slice(at, at + p.writes.length);
    at += p.writes.length;
    return p.holds(own);
  });
}

async function oneByOne(writes: Knex.QueryBuilder[]): Promise<number[]> {
  const counts: number[] = [];
  for (const write of writes) counts.push(Number(await write));
  return counts;
}

type OkPacket = { affectedRows: number };

async function oneRoundTrip(trx: Knex.Transaction, writes: Knex.QueryBuilder[]): Promise<number[]> {
  if (!writes.length) return [];
  // Compiled by knex as usual, values bound by the driver: the script only joins statements.
  const compiled = writes.map((w) => w.toSQL().toNative());
  const sql = compiled.map((c) => c.sql).join(";\n");
  const bindings = compiled.flatMap((c) => c.bindings as Knex.Value[]);
  const [results] = (await trx.raw(sql, bindings)) as [OkPacket | OkPacket[]];
  const list = Array.isArray(results) ? results : [results];
  if (list.length !== writes.length) throw new Error(`sent ${writes.length} writes, the server answered ${list.length}`);
  return list.map((r) => Number(r.affectedRows));
}
