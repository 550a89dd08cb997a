/** The feature's public face: other features import it only from here. */
import type { Knex } from "knex";
import type { Config } from "../core/config.js";
import type { Feature } from "../core/feature.js";
import { backupCommands } from "./backup.cli.js";

export { markRunning } from "./running-lock.js";

/** `cli backup DIR` and `cli restore DIR`: the database (SQLite or MariaDB) with the secret key and uploads. */
export function createBackup(deps: { config: Config; db: Knex }): Feature {
  return { name: "backup", cli: backupCommands(deps) };
}
