import path from "node:path";
import type { Knex } from "knex";
import { UsageError } from "../core/cli/args.js";
import type { Config } from "../core/config.js";
import { closeDb } from "../core/db/knex.js";
import type { CliCommand } from "../core/feature.js";
import { backup } from "./backup.js";
import { restore } from "./restore.js";

const out = (s: string) => process.stdout.write(`${s}\n`);

/** `cli backup DIR` and `cli restore DIR`. */
export function backupCommands(deps: { config: Config; db: Knex }): Record<string, CliCommand> {
  return {
    backup: async (args) => {
      const dir = args.positional[0];
      if (!dir) throw new UsageError("backup needs a directory: cli backup DIR");
      const manifest = await backup(deps.config, path.resolve(dir));
      out(`backup of the ${manifest.database} database written to ${path.resolve(dir)} (${manifest.files.join(", ")})`);
      return 0;
    },
    restore: async (args) => {
      const dir = args.positional[0];
      if (!dir) throw new UsageError("restore needs a directory: cli restore DIR");
      const manifest = await restore(deps.config, path.resolve(dir), () => closeDb(deps.db));
      out(`restored the backup of ${manifest.createdAt} (${manifest.files.join(", ")})`);
      return 0;
    },
  };
}
