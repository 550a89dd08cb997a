/**
 * Compiles the service for production: every TypeScript module of server/, kiosk/, print/
 * and migrations/ to JavaScript under dist/, file for file (the same folders, so each
 * module still finds its neighbours and the render and QR worker threads theirs), and the
 * plain .mjs modules copied beside them. esbuild only strips the types: `npm run typecheck`
 * is what checks them. `npm ci` runs this (the `prepare` script); `npm start` runs it again
 * first when a source is newer than the build (scripts/start.mjs).
 *
 * `node scripts/build.mjs` builds; `node scripts/build.mjs --if-stale` builds only when needed.
 */
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

export const ROOT = path.resolve(import.meta.dirname, "..");
export const DIST = path.join(ROOT, "dist");
const SOURCES = ["server", "kiosk", "print", "migrations"];
/** Written last: its time is the build's, so a half-written build counts as stale. */
const STAMP = path.join(DIST, ".built");
/** The build's own inputs: changing them (or the compiler) calls for a new build too. */
const INPUTS = [path.join(ROOT, "package-lock.json"), path.join(ROOT, "tsconfig.json"), import.meta.filename];

/** Source files, skipping browser assets (public/), which the server serves from the sources. */
function sources() {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "public") walk(full);
      } else if (/\.(ts|mjs)$/.test(entry.name) && !entry.name.endsWith(".d.ts") && !entry.name.endsWith(".d.mts")) {
        found.push(full);
      }
    }
  };
  for (const dir of SOURCES) walk(path.join(ROOT, dir));
  return found;
}

/** True when dist/ is missing, half-written, or older than a source or an input of the build. */
export function isStale() {
  let built;
  try {
    built = statSync(STAMP).mtimeMs;
  } catch {
    return true;
  }
  return [...sources(), ...INPUTS].some((file) => statSync(file).mtimeMs > built);
}

export async function build() {
  const esbuild = await import("esbuild");
  const files = sources();
  rmSync(DIST, { recursive: true, force: true });
  try {
    await esbuild.build({
      entryPoints: files.filter((f) => f.endsWith(".ts")),
      outdir: DIST,
      outbase: ROOT,
      bundle: false,
      platform: "node",
      format: "esm",
      target: "node20",
      sourcemap: "linked",
      logLevel: "warning",
    });
  } finally {
    // esbuild's service process would otherwise keep `npm start` company for its whole life.
    await esbuild.stop();
  }
  for (const file of files.filter((f) => f.endsWith(".mjs"))) {
    const to = path.join(DIST, path.relative(ROOT, file));
    mkdirSync(path.dirname(to), { recursive: true });
    copyFileSync(file, to);
  }
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  return files.length;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  if (process.argv.includes("--if-stale") && !isStale()) process.exit(0);
  const count = await build();
  process.stderr.write(`Compiled ${count} modules into dist/\n`);
}
