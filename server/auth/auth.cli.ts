import { requireOption } from "../core/cli/args.js";
import { promptSecret } from "../core/cli/prompt.js";
import { cliActor } from "../core/events.js";
import type { CliCommand } from "../core/feature.js";
import type { AdminsService } from "./admins.service.js";
import type { ApiKeysService } from "./apikeys.service.js";

const out = (s: string) => process.stdout.write(`${s}\n`);

/** `cli admin create` and `cli apikey create`. */
export function authCommands(deps: { admins: AdminsService; apiKeys: ApiKeysService }): Record<string, CliCommand> {
  return {
    "admin create": async (args) => {
      const email = requireOption(args, "email");
      const name = requireOption(args, "name");
      const role = typeof args.options.role === "string" ? args.options.role : "admin";
      const password = process.env.ADMIN_PASSWORD || (await promptSecret(`Password for ${email} (at least 12 characters): `));
      const admin = await deps.admins.create({ email, name, role, password }, cliActor());
      out(`${admin.email} (${admin.role}, #${admin.id})`);
      return 0;
    },
    "apikey create": async (args) => {
      const name = requireOption(args, "name");
      const scopes = args.options.scopes === true ? undefined : args.options.scopes;
      const { key } = await deps.apiKeys.create(name, scopes, cliActor(), null);
      out(key);
      return 0;
    },
  };
}
