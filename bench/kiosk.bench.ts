import { type ChildProcess, fork } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { cliActor } from "../server/core/events.js";
import { startTestApp } from "../test/support/app.js";
import { personInput } from "../test/support/people.js";
import { summary } from "./stats.js";

export const KIOSKS = Number(process.env.BENCH_KIOSKS ?? 1_000);
export const ROTATE_SECONDS = Number(process.env.BENCH_KIOSK_ROTATE ?? 20);
const WINDOWS = Number(process.env.BENCH_KIOSK_WINDOWS ?? 2);
const SAMPLES = Number(process.env.BENCH_KIOSK_SAMPLES ?? 200);

type Stats = ReturnType<typeof summary>;
export type KioskResult = {
  seedSeconds: number;
  echo: Stats;
  redeemToKiosk: Stats;
  redeemAnswer: Stats;
  peakRssMb: number;
  baselineRssMb: number;
  idleCpuPercent: number;
  rotatingCpuPercent: number;
  rotationCpuPercent: number;
  /** Screen updates the clients received in the measured rotating windows. */
  codesSent: number;
};

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * 1,000 paired screens (socket.io-client, in a child process) on one server process with
 * 20 s rotation (SQLite). Baselines from the same run: a bare Socket.IO echo round trip,
 * the RSS before the screens connect, and the CPU with every screen connected but nothing
 * rotating. Rotation work is the CPU of the windows with every screen showing a person,
 * less that idle baseline.
 */
export async function benchKiosk(): Promise<KioskResult> {
  const app = await startTestApp("sqlite", { KIOSK_ROTATE_SECONDS: String(ROTATE_SECONDS) });
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  let child: ChildProcess | null = null;
  try {
    app.ctx.live.addNamespace((io) => {
      io.of("/bench").on("connection", (s) => s.on("echo", (x: unknown, ack: (x: unknown) => void) => ack(x)));
    });
    const t0 = performance.now();
    const cookies: string[] = [];
    const kioskIds: number[] = [];
    for (let i = 0; i < KIOSKS; i++) {
      const { kiosk, enrollUrl } = await app.ctx.kiosks.create({ name: `Screen ${i + 1}` }, cliActor());
      const enrolled = await app.ctx.kiosks.enroll(enrollUrl.split("/").pop() as string, "bench");
      cookies.push(`ikiosk=${enrolled?.credential}`);
      kioskIds.push(kiosk.id);
    }
    const people: number[] = [];
    for (let i = 0; i < KIOSKS; i++) {
      people.push((await app.ctx.users.create(personInput({ firstName: `Person${i}`, lastName: "Bench" }), cliActor())).id);
    }
    const seedSeconds = (performance.now() - t0) / 1000;
    global.gc?.();
    const baselineRssMb = process.memoryUsage().rss / 2 ** 20;

    child = fork(path.join(here, "kiosk-clients.ts"), { execArgv: ["--import", "tsx"], stdio: "inherit" });
    const ask = <T>(msg: unknown, reply: string): Promise<T> =>
      new Promise((resolve, reject) => {
        const on = (m: { type: string }) => {
          if (m.type !== reply) return;
          child?.off("message", on);
          resolve(m as T);
        };
        child?.on("message", on);
        child?.once("exit", (code) => reject(new Error(`kiosk clients exited (${code})`)));
        child?.send(msg as object);
      });
    await ask({ type: "connect", url: app.url, cookies }, "connected");

    const windowMs = ROTATE_SECONDS * 1000;
    const cpuOver = async (ms: number) => {
      const start = process.cpuUsage();
      const t = performance.now();
      await new Promise((r) => setTimeout(r, ms));
      const used = process.cpuUsage(start);
      return ((used.user + used.system) / 1000 / (performance.now() - t)) * 100;
    };
    // Baseline: every screen connected, idle (nothing to rotate).
    await new Promise((r) => setTimeout(r, 2000));
    const idleCpuPercent = await cpuOver(WINDOWS * windowMs);

    // Every screen shows one person: each window brings 1,000 new codes.
    for (let i = 0; i < KIOSKS; i++) await app.ctx.kiosks.display(kioskIds[i] as number, people[i] as number, cliActor());
    // Let the display bursts settle, then measure from a window boundary.
    await new Promise((r) => setTimeout(r, windowMs - (Date.now() % windowMs) + 500));
    const before = await ask<{ states: number }>({ type: "count" }, "count");
    const rotatingCpuPercent = await cpuOver(WINDOWS * windowMs);
    const after = await ask<{ states: number }>({ type: "count" }, "count");
    const codesSent = after.states - before.states;

    const echo = await ask<{ latencies: number[] }>({ type: "echo", count: SAMPLES }, "echo");
    const redeem = await ask<{ latencies: number[]; answers: number[] }>(
      { type: "redeem", count: Math.min(SAMPLES, KIOSKS) },
      "redeem",
    );
    child.send({ type: "close" });
    return {
      seedSeconds,
      echo: summary(echo.latencies),
      redeemToKiosk: summary(redeem.latencies),
      redeemAnswer: summary(redeem.answers),
      peakRssMb: peak / 2 ** 20,
      baselineRssMb,
      idleCpuPercent,
      rotatingCpuPercent,
      rotationCpuPercent: Math.max(0, rotatingCpuPercent - idleCpuPercent),
      codesSent,
    };
  } finally {
    clearInterval(sampler);
    if (child && child.exitCode === null) child.kill();
    await app.stop();
  }
}
