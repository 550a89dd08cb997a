import path from "node:path";
import { fileURLToPath } from "node:url";

const parent = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The project folder, which holds views/, the browser assets and node_modules/. Run from the
 * sources this module is in <root>/server; compiled, in <root>/dist/server (scripts/build.mjs
 * compiles the modules only, so templates and assets are always read from the sources).
 */
export const PROJECT_ROOT = path.basename(parent) === "dist" ? path.dirname(parent) : parent;
