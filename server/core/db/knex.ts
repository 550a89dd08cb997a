import knexFactory, { type Knex } from "knex";
import type { Config } from "../config.js";
import type { Logger } from "../log.js";
import { privateSqliteFiles } from "./private-files.js";

/** Knex's own warnings (lost connections, pool errors) go to the structured log, not the console. */
const knexLog = (log?: Logger) =>
  log
    ? {
        warn: (m: unknown) => log.warn({ knex: String(m) }, "database warning"),
        error: (m: unknown) => log.error({ knex: String(m) }, "database error"),
        deprecate: (m: unknown) => log.warn({ knex: String(m) }, "database deprecation"),
        debug: (m: unknown) => log.debug({ knex: String(m) }, "database debug"),
      }
    : undefined;

export type Db = Knex;

type SqliteConnection = { pragma: (s: string) => unknown; prepare: (sql: string) => unknown };

const STATEMENT_CACHE_SIZE = 500;

/**
 * Knex prepares every query anew, and on SQLite parsing and planning a statement costs
 * about as much as running it. The statements of this service are few and repeat, so the
 * connection keeps the prepared ones by SQL text (bindings stay apart). Reuse is safe: the
 * driver is synchronous, so a statement has finished before the next query takes it, and
 * SQLite re-prepares a statement by itself after a schema change.
 */
function cachePreparedStatements(conn: SqliteConnection): void {
  const prepare = conn.prepare.bind(conn);
  const cache = new Map<string, unknown>();
  conn.prepare = (sql: string) => {
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = prepare(sql);
      // Oldest out first: generated SQL (IN lists of varying length) must not grow it forever.
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      cache.set(sql, statement);
    }
    return statement;
  };
}
export type Dialect = "sqlite" | "mysql";

/**
 * One factory per dialect, so that the rules of each (SQLite: WAL, foreign keys, one
 * connection; MySQL: utf8mb4, UTC) live in one place and nowhere else.
 */
export function createDb(database: Config["database"], log?: Logger): Db {
  if (database.client === "sqlite") {
    privateSqliteFiles(database.filename);
    return knexFactory({
      client: "better-sqlite3",
      log: knexLog(log),
      connection: { filename: database.filename },
      useNullAsDefault: true,
      // One connection: SQLite serialises writers anyway, and a single handle avoids
      // SQLITE_BUSY between our own connections.
      pool: {
        min: 1,
        max: 1,
        afterCreate: (conn: SqliteConnection, done: (err: Error | null, conn: unknown) => void) => {
          cachePreparedStatements(conn);
          conn.pragma("journal_mode = WAL");
          conn.pragma("foreign_keys = ON");
          // Deleted rows are overwritten with zeros, not left readable in free pages (erasure).
          conn.pragma("secure_delete = ON");
          conn.pragma("busy_timeout = 5000");
          conn.pragma("synchronous = NORMAL");
          // The server checkpoints on a thread of its own (sqlite-checkpointer.ts); this
          // connection does so only if the WAL passes ~40 MB (or in the command line).
          conn.pragma("wal_autocheckpoint = 10000");
          // 32 MiB of page cache (the default is 2): the hot indexes of the users list stay in memory.
          conn.pragma("cache_size = -32768");
          done(null, conn);
        },
      },
      acquireConnectionTimeout: 30_000,
    });
  }
  const url = new URL(database.url);
  return knexFactory({
    client: "mysql2",
    log: knexLog(log),
    connection: {
      host: url.hostname,
      port: url.port ? Number(url.port) : 3306,
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database: decodeURIComponent(url.pathname.slice(1)),
      charset: "utf8mb4",
      timezone: "Z",
      connectTimeout: 5_000,
    },
    pool: { min: 0, max: 10 },
    // Short, so that a database that went away turns into a prompt 503, not a hung request.
    acquireConnectionTimeout: 5_000,
  });
}

const multiStatementDbs = new WeakMap<Db, Db>();

/**
 * Where runPlannedWrites' transactions run. On MySQL/MariaDB: a small pool of its own whose
 * connections accept several statements in one query. The main pool keeps refusing them,
 * so that a mistake elsewhere can never be turned into stacked statements; this pool only
 * ever runs statements knex compiled with their values bound. On SQLite: the database itself.
 */
export function multiStatementDb(db: Db): Db {
  if (dialectOf(db) !== "mysql") return db;
  let multi = multiStatementDbs.get(db);
  if (!multi) {
    const config = db.client.config as Knex.Config;
    multi = knexFactory({
      ...config,
      connection: { ...(config.connection as Knex.MySql2ConnectionConfig), multipleStatements: true },
      pool: { min: 0, max: 2 },
    });
    multiStatementDbs.set(db, multi);
  }
  return multi;
}

/** Closes the database's pools: its own and the multi-statement one, if it was opened. */
export async function closeDb(db: Db): Promise<void> {
  const multi = multiStatementDbs.get(db);
  multiStatementDbs.delete(db);
  await Promise.all([multi?.destroy(), db.destroy()]);
}

export function dialectOf(db: Db): Dialect {
  return db.client.config.client === "mysql2" ? "mysql" : "sqlite";
}
