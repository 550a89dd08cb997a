import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import knexFactory from "knex";
import { requireOrSkip } from "./services.js";

export type Dialect = "sqlite" | "mariadb";

export const MARIADB_URL = process.env.TEST_DATABASE_URL ?? "mysql://root@127.0.0.1:3306/test";

async function mariaDbReachable(): Promise<string | null> {
  const url = new URL(MARIADB_URL);
  const probe = knexFactory({
    client: "mysql2",
    connection: {
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      connectTimeout: 2_000,
    },
    pool: { min: 0, max: 1 },
    acquireConnectionTimeout: 3_000,
  });
  try {
    await probe.raw("select 1");
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await probe.destroy();
  }
}

/**
 * The dialects every suite runs on: SQLite always, MariaDB when it answers at
 * TEST_DATABASE_URL (default root@127.0.0.1:3306). Under CI=true a missing MariaDB fails.
 */
export async function dialects(): Promise<Dialect[]> {
  const problem = await mariaDbReachable();
  const ok = requireOrSkip("MariaDB", problem, "apt-get install mariadb-server, start it, or set TEST_DATABASE_URL");
  return ok ? ["sqlite", "mariadb"] : ["sqlite"];
}

export type TestDatabase = {
  dialect: Dialect;
  /** Environment for loadConfig: DATA_DIR and, for MariaDB, DATABASE_URL. */
  env: Record<string, string>;
  dataDir: string;
  drop: () => Promise<void>;
};

/** A fresh, empty database of the dialect (MariaDB: a database of its own, dropped after). */
export async function freshDatabase(dialect: Dialect): Promise<TestDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "invst-test-"));
  if (dialect === "sqlite") {
    return { dialect, env: { DATA_DIR: dataDir }, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `invst_${randomBytes(5).toString("hex")}`;
  const admin = serverConnection();
  await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.destroy();
  const url = new URL(MARIADB_URL);
  url.pathname = `/${name}`;
  return {
    dialect,
    env: { DATA_DIR: dataDir, DATABASE_URL: url.toString() },
    dataDir,
    drop: async () => {
      const conn = serverConnection();
      await conn.raw(`DROP DATABASE IF EXISTS \`${name}\``);
      await conn.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function serverConnection() {
  const url = new URL(MARIADB_URL);
  return knexFactory({
    client: "mysql2",
    connection: {
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
    },
    pool: { min: 0, max: 1 },
  });
}
