import { chmodSync, closeSync, existsSync, openSync } from "node:fs";

/**
 * The SQLite file holds people's names, emails and phones: readable by the service's user
 * only. It is created 0600 before SQLite opens it, because SQLite gives its WAL and shared
 * memory files the database file's own permissions; files an older version left readable
 * are tightened on the way.
 */
export function privateSqliteFiles(filename: string): void {
  if (filename === ":memory:") return;
  closeSync(openSync(filename, "a", 0o600));
  for (const file of [filename, `${filename}-wal`, `${filename}-shm`, `${filename}-journal`]) {
    if (existsSync(file)) chmodSync(file, 0o600);
  }
}
