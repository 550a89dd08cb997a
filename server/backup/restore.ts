import { copyFileSync, cpSync, existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import type { Config } from "../core/config.js";
import { AppError } from "../core/errors.js";
import { clientArgs, DUMP_FILE, type Manifest, runTool, SQLITE_FILE } from "./backup.js";
import { runningService } from "./running-lock.js";

/**
 * Puts a backup back into DATA_DIR and the configured database. Refuses while a service
 * runs on this DATA_DIR, and a backup of the other kind of database. `closeDb` is called
 * before the SQLite file is replaced.
 */
export async function restore(config: Config, dir: string, closeDb: () => Promise<void>): Promise<Manifest> {
  const manifestFile = path.join(dir, "manifest.json");
  if (!existsSync(manifestFile)) throw new AppError(`${dir} holds no backup (manifest.json is missing)`, 400, "Backup");
  const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as Manifest;
  if (manifest.database !== config.database.client) {
    throw new AppError(
      `this backup is of a ${manifest.database} database; DATABASE_URL points to ${config.database.client}`,
      400,
      "Backup",
    );
  }
  const pid = runningService(config.dataDir);
  if (pid !== null) {
    throw new AppError(
      `a service is running on DATA_DIR ${config.dataDir} (process ${pid}): stop every instance before restoring`,
      409,
      "Backup",
    );
  }
  if (config.database.client === "sqlite") {
    await closeDb();
    const target = config.database.filename;
    for (const suffix of ["-wal", "-shm"]) rmSync(`${target}${suffix}`, { force: true });
    copyFileSync(path.join(dir, SQLITE_FILE), target);
  } else {
    const { args, env, database } = clientArgs(config.database.url);
    await runTool("mariadb", [...args, "--default-character-set=utf8mb4", database], env, { stdin: path.join(dir, DUMP_FILE) });
  }
  for (const entry of manifest.files.filter((f) => f !== SQLITE_FILE && f !== DUMP_FILE)) {
    const to = path.join(config.dataDir, entry);
    rmSync(to, { recursive: true, force: true });
    cpSync(path.join(dir, entry), to, { recursive: true, preserveTimestamps: true });
  }
  return manifest;
}
