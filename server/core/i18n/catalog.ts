import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { projectRootAbove } from "../root.js";

/**
 * The translations on disk: `locales/<language>/<namespace>.json`. A language is a folder,
 * so adding one is adding files; the folder name is the language tag people are stored with.
 */
// Found from this module's own place (not PROJECT_ROOT's): the render worker's bundle
// carries this module with its own import.meta.url.
export const LOCALES_DIR = path.join(projectRootAbove(path.dirname(fileURLToPath(import.meta.url))), "locales");

export type Resources = Record<string, Record<string, Record<string, unknown>>>;

export function readCatalog(dir = LOCALES_DIR): Resources {
  const resources: Resources = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(entry.name)) continue;
    const namespaces: Record<string, Record<string, unknown>> = {};
    for (const file of readdirSync(path.join(dir, entry.name))) {
      if (!file.endsWith(".json")) continue;
      const full = path.join(dir, entry.name, file);
      try {
        namespaces[file.slice(0, -5)] = JSON.parse(readFileSync(full, "utf8"));
      } catch (err) {
        throw new Error(`locales: ${path.relative(dir, full)} is not valid JSON: ${(err as Error).message}`);
      }
    }
    resources[entry.name] = namespaces;
  }
  if (!resources.en) throw new Error(`locales: ${dir} has no en folder (English is the fallback language)`);
  return resources;
}

/** Every key of a namespace tree as "a.b.c", for comparing languages. */
export function flattenKeys(tree: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(tree).flatMap(([k, v]) =>
    v !== null && typeof v === "object" ? flattenKeys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}
