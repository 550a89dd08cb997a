/**
 * The letters benchmark's renderer, in a process of its own so that its peak RSS is the
 * renderer's alone: opens the seeded database (DATA_DIR / DATABASE_URL), streams one PDF
 * of the people listed in BENCH_LETTER_IDS (a JSON file) to a file, prints figures as JSON.
 */
import { createWriteStream, readFileSync } from "node:fs";
import { pipeline } from "node:stream/promises";
import { loadConfig } from "../server/config.js";
import { createContext } from "../server/context.js";
import { closeDb } from "../server/db/knex.js";
import { createLogger } from "../server/log.js";

const ids: number[] = JSON.parse(readFileSync(process.env.BENCH_LETTER_IDS as string, "utf8"));
const out = process.env.BENCH_LETTER_OUT as string;
const config = loadConfig({ ...process.env, NODE_ENV: "test", LOG_LEVEL: "silent" } as Record<string, string>);
const ctx = createContext(config, createLogger("silent"));
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
