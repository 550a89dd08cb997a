import { printBatchCommand } from "../../print/batch/batch-command.js";
import type { Context } from "../context.js";
import { migrationStatus } from "../db/migrate.js";
import { cliActor } from "../events.js";
import { type Args, requireOption } from "./args.js";
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
  migrate: async (ctx) => {
    // main() has applied them already; report what is there.
    const { applied } = await migrationStatus(ctx.db);
    out(`${applied.length} migrations applied; database is up to date`);
    return 0;
  },
};
