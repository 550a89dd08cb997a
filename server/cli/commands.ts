import path from "node:path";
import { printBatchCommand } from "../../print/batch/batch-command.js";
import { backup } from "../backup/backup.js";
import { restore } from "../backup/restore.js";
import type { Context } from "../context.js";
import { closeDb } from "../db/knex.js";
import { migrationStatus } from "../db/migrate.js";
import { cliActor } from "../events.js";
import { type Args, requireOption, UsageError } from "./args.js";
import { promptSecret } from "./prompt.js";
import { usersExportCommand, usersImportCommand } from "./users-commands.js";

export type Command = (ctx: Context, args: Args) => Promise<number>;

const out = (s: string) => process.stdout.write(`${s}\n`);

export const commands: Record<string, Command> = {
  "admin create": async (ctx, args) => {
    const email = requireOption(args, "email");
    const name = requireOption(args, "name");
    const role = typeof args.options.role === "string" ? args.options.role : "admin";
    const password = process.env.ADMIN_PASSWORD || (await promptSecret(`Password for ${email} (at least 12 characters): `));
    const admin = await ctx.admins.create({ email, name, role, password }, cliActor());
    out(`${admin.email} (${admin.role}, #${admin.id})`);
    return 0;
  },
  "apikey create": async (ctx, args) => {
    const name = requireOption(args, "name");
    const { key } = await ctx.apiKeys.create(
      name,
      args.options.scopes === true ? undefined : args.options.scopes,
      cliActor(),
      null,
    );
    out(key);
    return 0;
  },
  "users import": usersImportCommand,
  "users export": usersExportCommand,
  "print batch": printBatchCommand,
  backup: async (ctx, args) => {
    const dir = args.positional[0];
    if (!dir) throw new UsageError("backup needs a directory: cli backup DIR");
    const manifest = await backup(ctx.config, path.resolve(dir));
    out(`backup of the ${manifest.database} database written to ${path.resolve(dir)} (${manifest.files.join(", ")})`);
    return 0;
  },
  restore: async (ctx, args) => {
    const dir = args.positional[0];
    if (!dir) throw new UsageError("restore needs a directory: cli restore DIR");
    const manifest = await restore(ctx.config, path.resolve(dir), () => closeDb(ctx.db));
    out(`restored the backup of ${manifest.createdAt} (${manifest.files.join(", ")})`);
    return 0;
  },
  migrate: async (ctx) => {
    // main() has applied them already; report what is there.
    const { applied } = await migrationStatus(ctx.db);
    out(`${applied.length} migrations applied; database is up to date`);
    return 0;
  },
};
