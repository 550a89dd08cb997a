/**
 * The letters benchmark's renderer, in a process of its own so that its peak RSS is the
 * renderer's alone: opens the seeded database (DATA_DIR / DATABASE_URL), streams one PDF
 * of the people listed in BENCH_LETTER_IDS (a JSON file) to a file, prints figures as JSON.
 * BENCH_CODE says which code renders: "dist" (compiled, as `npm start` runs it) or
 * "sources" (the TypeScript, when started with `--import tsx`).
 */
import { createWriteStream, readFileSync } from "node:fs";
import { pipeline } from "node:stream/promises";

const base = process.env.BENCH_CODE === "dist" ? "../dist" : "..";
const { loadConfig } = await import(`${base}/server/core/config.js`);
const { createStation } = await import(`${base}/server/station.js`);
const { closeDb } = await import(`${base}/server/core/db/knex.js`);
const { createLogger } = await import(`${base}/server/core/log.js`);

const ids = JSON.parse(readFileSync(process.env.BENCH_LETTER_IDS, "utf8"));
const out = process.env.BENCH_LETTER_OUT;
const config = loadConfig({ ...process.env, NODE_ENV: "test", LOG_LEVEL: "silent" });
const ctx = createStation(config, createLogger("silent"));
const start = performance.now();
const stream = await ctx.letters.stream({ userIds: ids, paper: "A4" });
const prepared = performance.now();
await pipeline(stream, createWriteStream(out));
const seconds = (performance.now() - start) / 1000;
await closeDb(ctx.db);
process.stdout.write(
  `${JSON.stringify({
    seconds,
    checkSeconds: (prepared - start) / 1000,
    letters: ids.length,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
