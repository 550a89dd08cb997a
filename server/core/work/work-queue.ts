import { randomBytes } from "node:crypto";
import type { Knex } from "knex";
import { nowMs } from "../db/convert.js";
import { againOnDeadlock } from "../db/deadlock.js";
import { INSTANCE_ID } from "./instance.js";

/**
 * A table whose rows are work, and the two columns that hold a row's lease: who holds it
 * (a claim token, null when nobody does) and until when (ms since the epoch). A row is
 * free when nobody holds it or its lease ran out.
 */
export type QueueSpec = {
  /** For logs and metrics: "outbox", "print-jobs", … */
  name: string;
  table: string;
  key: string;
  owner: string;
  expires: string;
};

/** One claim: the rows it won, under a token nobody else has. */
export type Claim<Row> = {
  token: string;
  rows: Row[];
  /** How many of the rows were taken over from a holder whose lease ran out. */
  takenOver: number;
};

type Filter = (q: Knex.QueryBuilder) => void;
type Key = number | string;

export type ClaimOptions = {
  /** What makes a row ready to be taken, besides a free lease (state, due time, …). */
  ready?: Filter;
  /** Only these rows. */
  keys?: readonly Key[];
  orderBy?: Array<{ column: string; order?: "asc" | "desc" }>;
  limit?: number;
  leaseMs: number;
  /** Written with the claim, in the same statement (a state, an attempt count). */
  set?: Record<string, unknown>;
  /** A transaction to claim in. */
  trx?: Knex;
};

/** Listens to take-overs (metrics, logs): an instance died or stalled holding work. */
export type TakeoverListener = (queue: string, count: number) => void;
const takeoverListeners = new Set<TakeoverListener>();
/** Adds a listener once, however many services a process builds (tests build several). */
export function onLeaseTakeover(listener: TakeoverListener): void {
  takeoverListeners.add(listener);
}

const CHUNK = 500;
let seq = 0;

/**
 * The one leased work queue: the only way a worker or job of the service takes work, on
 * SQLite and MySQL/MariaDB alike.
 *
 * A claim is a compare-and-set: one UPDATE that repeats "free and ready" in its WHERE, so of
 * several claimers (instances, or runs in one instance on a pooled connection) only the
 * first UPDATE changes a row — MySQL re-reads the row under its lock, SQLite has one
 * writer — and the others' UPDATE finds it taken. The winner reads back the rows that carry
 * its own token. Everything done to a held row afterwards (update, renew, finish, release)
 * is conditional on that token, so a holder that stalled past its lease and was taken over
 * can no longer write over the new holder's work.
 */
export class WorkQueue<Row extends Record<string, unknown> = Record<string, unknown>> {
  /**
   * Whose claims these are: this process and this queue object (two services built in one
   * process, as tests do, are two holders). Every token starts with it.
   */
  private readonly holder = `${INSTANCE_ID}.${randomBytes(2).toString("hex")}`;

  constructor(
    private db: Knex,
    readonly spec: QueueSpec,
  ) {}

  /** A raw SQL value for `set` and `changes` (a counter moved in the same statement). */
  raw(sql: string, bindings: readonly Knex.RawBinding[]): Knex.Raw {
    return this.db.raw(sql, bindings);
  }

  /**
   * A claim token: the holder and a sequence; short enough for a 64-character column. For work that is born held (a row inserted with its lease), then claimed again
   * only when let go of or abandoned.
   */
  newToken(): string {
    return `${this.holder}.${(++seq).toString(36)}`;
  }

  private free(now: number): Filter {
    const { owner, expires } = this.spec;
    return (q) => void q.where((w) => w.whereNull(owner).orWhere(expires, "<", now));
  }

  /**
   * One write statement: in the caller's transaction as it is, or on its own, run again when
   * InnoDB picks it as a deadlock victim (several claimers updating overlapping rows).
   */
  private write<T>(trx: Knex | undefined, statement: (db: Knex) => PromiseLike<T>): Promise<T> {
    return trx ? Promise.resolve(statement(trx)) : againOnDeadlock(() => statement(this.db));
  }

  /** Claims the free rows that are ready (up to `limit`, in `orderBy` order). */
  async claim(opts: ClaimOptions): Promise<Claim<Row>> {
    const db = opts.trx ?? this.db;
    const { table, key, owner, expires } = this.spec;
    const now = nowMs();
    const token = this.newToken();
    const ready: Filter = opts.ready ?? (() => {});
    const candidatesQuery = db(table).select(key, owner).modify(ready).modify(this.free(now));
    if (opts.keys) {
      if (!opts.keys.length) return { token, rows: [], takenOver: 0 };
      candidatesQuery.whereIn(key, opts.keys as Key[]);
    }
    for (const o of opts.orderBy ?? []) candidatesQuery.orderBy(o.column, o.order ?? "asc");
    if (opts.limit !== undefined) candidatesQuery.limit(opts.limit);
    const candidates: Array<Record<string, unknown>> = await candidatesQuery;
    if (!candidates.length) return { token, rows: [], takenOver: 0 };

    const heldBefore = new Map(candidates.map((c) => [String(c[key]), c[owner] !== null && c[owner] !== undefined]));
    const keys = candidates.map((c) => c[key] as Key);
    for (let i = 0; i < keys.length; i += CHUNK) {
      await this.write(opts.trx, (db) =>
        db(table)
          .whereIn(key, keys.slice(i, i + CHUNK))
          .modify(ready)
          .modify(this.free(now))
          .update({ ...opts.set, [owner]: token, [expires]: now + opts.leaseMs }),
      );
    }
    const readBack = db(table).where(owner, token);
    for (const o of opts.orderBy ?? []) readBack.orderBy(o.column, o.order ?? "asc");
    const rows: Row[] = await readBack;
    const takenOver = rows.filter((r) => heldBefore.get(String(r[key]))).length;
    if (takenOver) for (const listener of takeoverListeners) listener(this.spec.name, takenOver);
    return { token, rows, takenOver };
  }

  /** Moves the lease of the claim's rows (all, or `keys`) on; how many are still held. */
  async renew(token: string, leaseMs: number, keys?: readonly Key[], trx?: Knex): Promise<number> {
    return this.write(trx, async (db) => {
      const q = db(this.spec.table).where(this.spec.owner, token);
      if (keys) q.whereIn(this.spec.key, keys as Key[]);
      return Number(await q.update({ [this.spec.expires]: nowMs() + leaseMs }));
    });
  }

  /** Changes a held row; false when the claim no longer holds it (it was taken over). */
  async update(token: string, key: Key, changes: Record<string, unknown>, trx?: Knex): Promise<boolean> {
    const n = await this.write(trx, (db) =>
      db(this.spec.table)
        .where({ [this.spec.key]: key, [this.spec.owner]: token })
        .update(changes),
    );
    return Number(n) === 1;
  }

  /**
   * The work on a row is done (or given up): `changes` are written and the lease is let
   * go, only while the claim holds the row. False when another holder took it over.
   * `expiresTo` is what the lease column becomes (null, or a due time where the queue
   * keeps one there).
   */
  async finish(
    token: string,
    key: Key,
    changes: Record<string, unknown> = {},
    trx?: Knex,
    expiresTo: unknown = null,
  ): Promise<boolean> {
    return this.update(token, key, { [this.spec.expires]: expiresTo, ...changes, [this.spec.owner]: null }, trx);
  }

  /** `finish` for many rows of one claim; how many it still held. */
  async finishMany(token: string, keys: readonly Key[], changes: Record<string, unknown> = {}, trx?: Knex): Promise<number> {
    let n = 0;
    for (let i = 0; i < keys.length; i += CHUNK) {
      n += Number(
        await this.write(trx, (db) =>
          db(this.spec.table)
            .where(this.spec.owner, token)
            .whereIn(this.spec.key, keys.slice(i, i + CHUNK) as Key[])
            .update({ [this.spec.expires]: null, ...changes, [this.spec.owner]: null }),
        ),
      );
    }
    return n;
  }

  /** Lets go of the claim's rows (all, or `keys`) unfinished: any claimer may take them at once. */
  async release(token: string, keys?: readonly Key[], changes: Record<string, unknown> = {}, trx?: Knex): Promise<number> {
    return this.write(trx, async (db) => {
      const q = db(this.spec.table).where(this.spec.owner, token);
      if (keys) q.whereIn(this.spec.key, keys as Key[]);
      return Number(await q.update({ [this.spec.expires]: 0, ...changes, [this.spec.owner]: null }));
    });
  }

  /** Lets go of every row this queue object's claims hold (a graceful stop). */
  async releaseAll(changes: Record<string, unknown> = {}): Promise<number> {
    const n = await this.write(undefined, (db) =>
      db(this.spec.table)
        .where(this.spec.owner, "like", `${this.holder}.%`)
        .update({ [this.spec.expires]: 0, ...changes, [this.spec.owner]: null }),
    );
    return Number(n);
  }
}
