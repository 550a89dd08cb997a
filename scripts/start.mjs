/**
 * `npm start` and PM2: runs the compiled service (dist/server/main.js), compiling it first
 * when dist/ is missing or older than the sources (a `git pull` without `npm ci`), so one
 * command always runs the code that is checked out. The TypeScript loader (tsx) is for
 * development and tests only: in production it cost a loader thread and its memory.
 */

import path from "node:path";
import { pathToFileURL } from "node:url";
import { build, DIST, isStale } from "./build.mjs";

if (isStale()) {
  process.stderr.write("Compiling Invite Station (dist/ is missing or older than the sources)…\n");
  await build();
}
await import(pathToFileURL(path.join(DIST, "server/main.js")).href);
