import { spawn } from "node:child_process";
import { cpSync, createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { finished } from "node:stream/promises";
import Database from "better-sqlite3";
import type { Config } from "../core/config.js";
import { AppError } from "../core/errors.js";

/** What a backup directory holds; restore reads it first. */
export type Manifest = { format: 1; createdAt: string; database: "sqlite" | "mysql"; files: string[] };

export const SQLITE_FILE = "invite-station.sqlite";
export const DUMP_FILE = "database.sql";
/** DATA_DIR entries that travel with the database (the outbox's .eml files are sent mail, not state). */
export const DATA_ENTRIES = ["secret.key", "uploads"];

/** mysql://user:pass@host:port/db as the MariaDB client tools' arguments; the password goes in the environment. */
export function clientArgs(url: string): { args: string[]; env: NodeJS.ProcessEnv; database: string } {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.slice(1));
  return {
    args: [`--host=${u.hostname}`, `--port=${u.port || "3306"}`, `--user=${decodeURIComponent(u.username)}`],
    env: { ...process.env, MYSQL_PWD: decodeURIComponent(u.password) },
    database,
  };
}

/**
 * Runs a client tool with stdin/stdout bound to files; rejects with its stderr. It resolves
 * once the output file is written to the end: the tool exiting is not enough (a CLI that
 * exits right after would cut the dump short).
 */
export function runTool(bin: string, args: string[], env: NodeJS.ProcessEnv, io: { stdin?: string; stdout?: string }) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: [io.stdin ? "pipe" : "ignore", io.stdout ? "pipe" : "ignore", "pipe"] });
    let err = "";
    child.stderr?.on("data", (d) => (err = (err + d).slice(-2000)));
    if (io.stdin && child.stdin) createReadStream(io.stdin).pipe(child.stdin);
    let written: Promise<void> = Promise.resolve();
    if (io.stdout && child.stdout) {
      const out = createWriteStream(io.stdout, { mode: 0o600 });
      written = finished(out);
      child.stdout.pipe(out);
    }
    child.on("error", (e) =>
      reject(new AppError(`${bin} could not run (${e.message}); install the MariaDB client`, 500, "Backup")),
    );
    child.on("close", (code) => {
      if (code !== 0) return reject(new AppError(`${bin} failed: ${err.trim()}`, 500, "Backup"));
      written.then(resolve, (e: Error) =>
        reject(new AppError(`${bin}: writing ${io.stdout} failed (${e.message})`, 500, "Backup")),
      );
    });
  });
}

/**
 * A consistent snapshot while the service runs: SQLite through its online backup API
 * (a copy of one moment, writers carry on), MySQL/MariaDB through `mariadb-dump
 * --single-transaction` (one repeatable-read transaction); then the secret key and uploads.
 */
export async function backup(config: Config, dir: string): Promise<Manifest> {
  if (existsSync(dir) && readdirSync(dir).length)
    throw new AppError(`${dir} is not empty: give a new or empty directory`, 400, "Backup");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files: string[] = [];
  if (config.database.client === "sqlite") {
    const source = new Database(config.database.filename, { fileMustExist: true });
    try {
      await source.backup(path.join(dir, SQLITE_FILE));
    } finally {
      source.close();
    }
    files.push(SQLITE_FILE);
  } else {
    const { args, env, database } = clientArgs(config.database.url);
    await runTool(
      "mariadb-dump",
      [...args, "--single-transaction", "--skip-lock-tables", "--routines", "--default-character-set=utf8mb4", database],
      env,
      { stdout: path.join(dir, DUMP_FILE) },
    );
    files.push(DUMP_FILE);
  }
  for (const entry of DATA_ENTRIES) {
    const from = path.join(config.dataDir, entry);
    if (!existsSync(from)) continue;
    cpSync(from, path.join(dir, entry), { recursive: true, preserveTimestamps: true });
    files.push(entry);
  }
  const manifest: Manifest = { format: 1, createdAt: new Date().toISOString(), database: config.database.client, files };
  writeFileSync(path.join(dir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  return manifest;
}
