import type { Knex } from "knex";
import { nowMs } from "./convert.js";
import { againOnDeadlock } from "./deadlock.js";

/**
 * Runs `fn` in a transaction holding the lock row of one limited client (`limit_locks`),
 * so that counting its attempts and writing the next one happen one at a time for that
 * client on every instance: each attempt counts all the ones before it.
 */
export async function withClientLock<T>(
  db: Knex,
  bucket: string,
  client: string,
  fn: (trx: Knex.Transaction, now: number) => Promise<T>,
): Promise<T> {
  const key = { bucket, client: client.slice(0, 64) };
  // Made outside the transaction: an insert racing another for a new key can deadlock in InnoDB.
  await db("limit_locks")
    .insert({ ...key, at: nowMs() })
    .onConflict(["bucket", "client"])
    .ignore();
  // MariaDB may still pick a waiting transaction as a deadlock victim.
  return againOnDeadlock(() =>
    db.transaction(async (trx) => {
      const now = nowMs();
      await trx("limit_locks").where(key).update({ at: now });
      return fn(trx, now);
    }),
  );
}

/**
 * Runs tasks one after another per key, in this process: a burst from one client then
 * waits here rather than holding the database's connections, and each task can see what
 * the ones before it learnt (a refusal) before asking the database.
 */
export class KeyedQueue {
  private tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const turn = (this.tails.get(key) ?? Promise.resolve()).then(task);
    const tail = turn.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return turn;
  }
}

/** Forgets lock rows unused since `before` (a client gone quiet). */
export async function pruneClientLocks(db: Knex, bucket: string, before: number): Promise<void> {
  await db("limit_locks").where("bucket", bucket).where("at", "<=", before).delete();
}
