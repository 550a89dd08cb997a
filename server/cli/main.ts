import { type Args, parseArgs, UsageError } from "../core/cli/args.js";
import { ConfigError, loadConfig } from "../core/config.js";
import { closeDb } from "../core/db/knex.js";
import { migrateLatest, migrationStatus } from "../core/db/migrate.js";
import { AppError, ValidationError } from "../core/errors.js";
import type { CliCommand } from "../core/feature.js";
import { createLogger } from "../core/log.js";
import { createStation } from "../station.js";

const USAGE = `Usage: npm run --silent cli -- <command>

  admin create --email E --name N [--role admin|frontdesk]   password from ADMIN_PASSWORD or a prompt
  apikey create --name N [--scopes a,b]                       prints the key alone
  users import FILE.csv|FILE.xlsx [--dry-run]                progress on stderr, summary on stdout
      [--phones drop|consented]                               phones in a file without a consent column
      [--matches update|skip|add]                             rows that are people already registered
  users export [--status S] [--group ID] [--q TEXT]           CSV on stdout
  print batch                                                 prints the queued invitations now, one line per job
  migrate                                                     applies pending migrations
  backup DIR                                                  a consistent snapshot (database, secret key, uploads) while the service runs
  restore DIR                                                 puts a backup back; refused while a service runs on this DATA_DIR
`;

/** Command names, as typed: two-word commands (`admin create`) are tried before one-word ones (`backup DIR`). */
const NAMES = ["admin create", "apikey create", "users import", "users export", "print batch", "migrate", "backup", "restore"];

/** `cli <command>`: on success it prints only its result; errors go to stderr with exit 1 (2 for usage). */
async function main(argv: string[]): Promise<number> {
  const args: Args = parseArgs(argv);
  const two = args.positional.slice(0, 2).join(" ");
  const name = NAMES.includes(two) ? two : (args.positional[0] ?? "");
  if (!NAMES.includes(name) || args.options.help) {
    process.stderr.write(USAGE);
    return args.options.help ? 0 : 2;
  }
  const config = loadConfig();
  // The CLI logs only warnings, to stderr, so that stdout carries just the result.
  const log = createLogger(process.env.LOG_LEVEL ?? "warn").child({ cli: name });
  const station = createStation(config, log);
  const commands: Record<string, CliCommand> = {
    ...Object.assign({}, ...station.features.map((f) => f.cli ?? {})),
    migrate: async () => {
      // main() has applied them already; report what is there.
      const { applied } = await migrationStatus(station.db);
      process.stdout.write(`${applied.length} migrations applied; database is up to date\n`);
      return 0;
    },
  };
  try {
    await migrateLatest(station.db);
    const command = commands[name];
    if (!command) throw new Error(`no feature provides the command "${name}"`);
    return await command({ ...args, positional: args.positional.slice(name.split(" ").length) });
  } finally {
    await closeDb(station.db);
  }
}

// Whatever the process writes (database, outbox, uploads, backups) is private to its user.
process.umask(0o077);
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError) process.stderr.write(`${err.message}\n\n${USAGE}`);
    else if (err instanceof ValidationError) {
      process.stderr.write(
        `${err.message}\n${Object.entries(err.fields)
          .map(([f, m]) => `  ${f}: ${m}\n`)
          .join("")}`,
      );
    } else if (err instanceof AppError || err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
    else process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
