import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The project folder (views/, locales/, browser assets, node_modules/) above `from`: the first
 * folder up holding package.json. Compiled modules live in <root>/dist/…, which has none, and
 * scripts/build.mjs compiles modules only, so templates and assets are always the sources'.
 */
export function projectRootAbove(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const PROJECT_ROOT = projectRootAbove(path.dirname(fileURLToPath(import.meta.url)));
