/** `--name value`, `--flag` and positional arguments; nothing more is needed here. */
export type Args = { positional: string[]; options: Record<string, string | true> };

export function parseArgs(argv: string[]): Args {
  const positional: string[] = [];
  const options: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg.startsWith("--")) {
      const [key, inline] = arg.slice(2).split("=", 2) as [string, string | undefined];
      const next = argv[i + 1];
      if (inline !== undefined) options[key] = inline;
      else if (next !== undefined && !next.startsWith("--")) {
        options[key] = next;
        i++;
      } else options[key] = true;
    } else positional.push(arg);
  }
  return { positional, options };
}

export class UsageError extends Error {}

export function requireOption(args: Args, name: string): string {
  const v = args.options[name];
  if (typeof v !== "string" || !v.trim()) throw new UsageError(`--${name} is required`);
  return v;
}
