import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { cliActor } from "../server/core/events.js";
import { startTestApp } from "../test/support/app.js";
import type { Dialect } from "../test/support/databases.js";
import { personInput } from "../test/support/people.js";
import { type LoadResult, load } from "./redeem.bench.js";

export const FLOOD_IN_FLIGHT = Number(process.env.BENCH_FLOOD_IN_FLIGHT ?? 20);
export const PROBES = Number(process.env.BENCH_FLOOD_PROBES ?? 2_000);
const LOAD_CLIENT = fileURLToPath(new URL("./http-load.mjs", import.meta.url));

export type FloodResult = {
  /** GET /healthz one at a time, nothing else running: the baseline. */
  idle: LoadResult;
  /** The same, while forged kiosk codes are posted to the redeem endpoint FLOOD_IN_FLIGHT at a time. */
  flooded: LoadResult;
  /** Forged codes that were evaluated (counted failures); every other one was refused from memory. */
  evaluated: number;
  /** How long the flooded probe ran. */
  seconds: number;
};

/**
 * Forged kiosk codes of the right shape (the current window, a real invitation id, a made-up
 * MAC) flood the public redeem endpoint from one client, FLOOD_IN_FLIGHT in flight, while a
 * probe asks GET /healthz one request at a time. Once over the guessing limit the client is
 * refused from memory (no HMAC, no query), so the probe should barely notice.
 */
export async function benchCodeFlood(dialect: Dialect): Promise<FloodResult> {
  const app = await startTestApp(dialect);
  try {
    const user = await app.ctx.users.create(personInput({ firstName: "Flo", lastName: "Od" }), cliActor());
    const { id } = await app.ctx.invitations.current(user.id);
    const period = 20;
    const window = () => Math.floor(Date.now() / (period * 1000)).toString(36);
    const forged = Array.from(
      { length: 200_000 },
      (_, i) => `{"token":"k${id.toString(36)}.${period.toString(36)}.${window()}.${String(i).padStart(22, "f")}"}`,
    );
    const health = `${app.url}/healthz`;
    await load(health, PROBES, { concurrency: 1 }, null);
    const idle = await load(health, PROBES, { concurrency: 1 }, null);

    const flood = spawn(process.execPath, [LOAD_CLIENT], { stdio: ["pipe", "pipe", "pipe"] });
    flood.stdin.end(
      JSON.stringify({
        url: `${app.url}/api/v1/invitations/redeem`,
        method: "POST",
        bodies: forged,
        count: forged.length,
        concurrency: FLOOD_IN_FLIGHT,
        expect: [404, 429],
      }),
    );
    let out = "";
    flood.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    const ended = new Promise<void>((resolve) => flood.once("close", () => resolve()));
    await new Promise<void>((resolve) =>
      flood.stderr.setEncoding("utf8").on("data", (d: string) => d.includes("timed run starts") && resolve()),
    );
    // Let the flood reach its steady state (its first failures counted, the client refused).
    await new Promise((r) => setTimeout(r, 1_000));
    const started = performance.now();
    const flooded = await load(health, PROBES, { concurrency: 1 }, null);
    const seconds = (performance.now() - started) / 1000;
    const finished = flood.exitCode !== null;
    flood.kill();
    await ended;
    if (finished) throw new Error(`the flood ended before the probe did: ${out.slice(0, 300)}`);
    const after = await app.ctx.db("guess_failures").count({ n: "*" }).first();
    return { idle, flooded, evaluated: Number(after?.n), seconds };
  } finally {
    await app.stop();
  }
}
