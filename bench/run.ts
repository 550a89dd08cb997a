import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { dialects } from "../test/support/databases.js";
import type { SendResult } from "./email.bench.js";
import type { LoadResult } from "./redeem.bench.js";
import { ms } from "./stats.js";

/**
 * `npm run bench`: the foundation's figures next to baselines measured in the same run.
 * Targets: users list and search p95 ≤ 20 ms with 100,000 people on SQLite and MariaDB;
 * CSV import of 50,000 rows ≤ 15 s with peak RSS ≤ 300 MB; invitation redeem ≥ 500 redemptions/s
 * with p99 ≤ 25 ms on loopback; 1,000 invitation emails through a local SMTP server ≤ 20 s.
 */
const only = process.argv[2];
// Each benchmark's modules load only when it runs: a figure such as the kiosk server's peak
// RSS must not carry the other benchmarks' libraries (Chromium's driver, fonts, …).
const found = await dialects();
const targets = found.filter((d) => !process.env.BENCH_DIALECT || d === process.env.BENCH_DIALECT);

if (!only || only === "list") {
  const { benchUsersList, PEOPLE } = await import("./users-list.bench.js");
  for (const dialect of targets) {
    console.log(`\n== users list and search, ${PEOPLE.toLocaleString("en-US")} people, ${dialect} ==`);
    const results = await benchUsersList(dialect);
    console.log(`${"".padEnd(42)} ${"p50".padStart(10)} ${"p95".padStart(10)} ${"p99".padStart(10)}   n`);
    for (const [name, s] of Object.entries(results)) {
      const seconds = name.endsWith("(s)");
      const fmt = (v: number) => (seconds ? `${v.toFixed(1)} s` : ms(v)).padStart(10);
      const verdict = name.startsWith("page") || name.startsWith("api") ? (s.p95 <= 20 ? "  ok (≤ 20 ms)" : "  OVER 20 ms") : "";
      console.log(`${name.padEnd(42)} ${fmt(s.p50)} ${fmt(s.p95)} ${fmt(s.p99)}   ${s.n}${verdict}`);
    }
  }
}

if (!only || only === "import") {
  const { benchImport, IMPORT_ROWS, writeCsv } = await import("./import.bench.js");
  const dir = mkdtempSync(path.join(tmpdir(), "invst-bench-"));
  const csv = path.join(dir, "people.csv");
  writeCsv(csv, IMPORT_ROWS);
  try {
    for (const dialect of targets) {
      console.log(`\n== CSV import, ${IMPORT_ROWS.toLocaleString("en-US")} rows, ${dialect} ==`);
      const r = await benchImport(dialect, csv);
      const line = (name: string, x: { seconds: number; peakRssMb: number }, check = false) =>
        console.log(
          `${name.padEnd(42)} ${`${x.seconds.toFixed(2)} s`.padStart(10)} ${`${x.peakRssMb.toFixed(0)} MB peak RSS`.padStart(18)}${
            check ? (x.seconds <= 15 && x.peakRssMb <= 300 ? "  ok (≤ 15 s, ≤ 300 MB)" : "  OVER TARGET") : ""
          }`,
        );
      line("baseline: parse only (same file)", r.parseOnly);
      line("cli users import --dry-run", r.dry);
      line("cli users import", r.real, true);
      console.log(`  result: ${r.real.stdout.trim()}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!only || only === "redeem") {
  const { benchRedeem, REDEEM_CONCURRENCY, REDEEM_PEOPLE, REDEEM_RATE } = await import("./redeem.bench.js");
  for (const dialect of targets) {
    console.log(`\n== invitation redeem, ${REDEEM_PEOPLE.toLocaleString("en-US")} people a run, ${dialect} ==`);
    const r = await benchRedeem(dialect);
    const head = ["req/s", "p50", "p95", "p99", "server CPU"].map((h) => h.padStart(10)).join(" ");
    console.log(`${"".padEnd(48)} ${head}   n`);
    const line = (name: string, x: LoadResult, verdict = "") => {
      const cells = [x.perSecond.toFixed(0), ms(x.p50), ms(x.p95), ms(x.p99), `${x.serverCpuMs.toFixed(2)} ms`]
        .map((c) => c.padStart(10))
        .join(" ");
      console.log(`${name.padEnd(48)} ${cells}   ${x.n}${verdict}`);
    };
    const most = `most, ${REDEEM_CONCURRENCY} in flight`;
    const steady = `steady ${REDEEM_RATE}/s`;
    line(`baseline: GET /healthz, ${most}`, r.healthz);
    line(`POST /invitations/redeem, ${most}`, r.redeem, r.redeem.perSecond >= 500 ? "  ok (≥ 500/s)" : "  UNDER 500/s");
    line(`baseline: GET /healthz, ${steady}`, r.healthzAtRate);
    line(
      `POST /invitations/redeem, ${steady}`,
      r.redeemAtRate,
      r.redeemAtRate.p99 <= 25 && r.redeemAtRate.perSecond >= REDEEM_RATE * 0.98 ? "  ok (p99 ≤ 25 ms)" : "  OVER 25 ms",
    );
    console.log(`  setup: seed ${r.seedSeconds.toFixed(1)} s, issue invitations ${r.invitationsSeconds.toFixed(1)} s`);
  }
}

if (!only || only === "email") {
  const { benchEmail, EMAIL_MESSAGES } = await import("./email.bench.js");
  for (const dialect of targets) {
    console.log(
      `\n== invitation emails, ${EMAIL_MESSAGES.toLocaleString("en-US")} messages through a local SMTP server, ${dialect} ==`,
    );
    const r = await benchEmail(dialect);
    console.log(`${"".padEnd(42)} ${"msg/s".padStart(10)} ${"total".padStart(10)}   n`);
    const line = (name: string, x: SendResult, check = false) =>
      console.log(
        `${name.padEnd(42)} ${x.perSecond.toFixed(0).padStart(10)} ${`${x.seconds.toFixed(2)} s`.padStart(10)}   ${x.n}${
          check ? (x.seconds <= 20 ? "  ok (≤ 20 s)" : "  OVER 20 s") : ""
        }`,
      );
    line("baseline: nodemailer pool, no outbox", r.baseline);
    line("invitations.send → outbox → SMTP", r.outbox, true);
    console.log(`  setup: seed ${r.seedSeconds.toFixed(1)} s; queueing took ${r.queueSeconds.toFixed(1)} s of the total`);
  }
}

if (!only || only === "print") {
  const { benchPrint, PRINT_LETTERS } = await import("./print.bench.js");
  // The printer is the bottleneck, not the database: one dialect tells the figure.
  console.log(`\n== printing, ${PRINT_LETTERS.toLocaleString("en-US")} letters to ippeveprinter -c /bin/true, sqlite ==`);
  const r = await benchPrint("sqlite");
  if (r) {
    const line = (name: string, x: { seconds: number; pages: number }, extra = "") =>
      console.log(
        `${name.padEnd(64)} ${`${x.seconds.toFixed(1)} s`.padStart(8)} ${`${x.pages} pages`.padStart(12)} ${`${(x.pages / x.seconds).toFixed(0)} pages/s`.padStart(14)}${extra}`,
      );
    line("baseline: render the same jobs only", r.renderOnly);
    line(`baseline: send one pre-rendered job ×${r.sendOnly.jobs}, confirmed`, r.sendOnly);
    line(`end to end: queue, batch, render, send, confirm (${r.endToEnd.jobs} jobs)`, r.endToEnd);
  }
}

if (!only || only === "letters") {
  const { benchLetters, LETTERS, GROUP_LETTERS } = await import("./letters.bench.js");
  // The renderer does not depend on the database beyond reading people: SQLite alone unless BENCH_DIALECT says.
  for (const dialect of process.env.BENCH_DIALECT ? targets : (["sqlite"] as const)) {
    console.log(`\n== invitation letters, ${LETTERS.toLocaleString("en-US")} letters in one PDF, ${dialect} ==`);
    const r = await benchLetters(dialect);
    const rate = (name: string, x: { perSecond: number; seconds: number; pages: number } | null, extra = "") =>
      console.log(
        x
          ? `${name.padEnd(52)} ${`${x.perSecond.toFixed(1)} pages/s`.padStart(16)} ${`${x.seconds.toFixed(2)} s`.padStart(10)}   ${x.pages} pages${extra}`
          : `${name.padEnd(52)} ${"skipped (no Chromium)".padStart(16)}`,
      );
    const baseline = Math.max(r.chromiumBatch?.perSecond ?? 0, r.chromiumSingle?.perSecond ?? 0);
    const times = (perSecond: number) => {
      if (!baseline) return "";
      const ratio = perSecond / baseline;
      return `  ${ratio.toFixed(1)}× Chromium's best${ratio >= 10 ? "  ok (≥ 10×)" : "  UNDER 10×"}`;
    };
    console.log(`load average: ${r.load.map((l) => l.toFixed(2)).join(" ")}`);
    rate("baseline: Chromium page.pdf, one document", r.chromiumBatch);
    rate("baseline: Chromium page.pdf, one letter a call", r.chromiumSingle);
    rate("baseline: ctx.letters.stream, TypeScript (tsx)", r.render.sources);
    rate("ctx.letters.stream, compiled (checks included)", r.render.dist, times(r.render.dist.perSecond));
    const size = r.render.dist.kbPerLetter;
    console.log(
      `${"average size per letter".padEnd(52)} ${`${size.toFixed(2)} KB`.padStart(16)}${size <= 10 ? "  ok (≤ 10 KB)" : "  OVER 10 KB"}`,
    );
    const before = r.render.sources.peakRssMb;
    const rss = r.render.dist.peakRssMb;
    console.log(`${"baseline: peak RSS rendering, TypeScript (tsx)".padEnd(52)} ${`${before.toFixed(0)} MB`.padStart(16)}`);
    console.log(
      `${"peak RSS rendering, compiled".padEnd(52)} ${`${rss.toFixed(0)} MB`.padStart(16)}${rss < before ? "  ok (lower)" : "  NOT LOWER"}`,
    );
    console.log(
      `  setup: seed and issue invitations ${r.seedSeconds.toFixed(1)} s; checking the people took ${r.render.dist.checkSeconds.toFixed(1)} s of the render; PDF ${(r.render.dist.bytes / 1024 / 1024).toFixed(1)} MB`,
    );
    console.log(`\n-- a group's ${GROUP_LETTERS.toLocaleString("en-US")} letters downloaded from a service just started --`);
    for (const [code, name] of [
      ["sources", "baseline: TypeScript (tsx)"],
      ["dist", "compiled (npm start)"],
    ] as const) {
      const d = r.group[code];
      const cold = d.first.seconds / d.warm.seconds;
      console.log(`${name}: ready in ${d.startSeconds.toFixed(2)} s`);
      if (d.warmedUp)
        console.log(
          `  renderer warm (/readyz) after ${d.warmedUp.readySeconds.toFixed(2)} s; resident 10 s later ${d.warmedUp.rssMb} MB`,
        );
      rate("  first download", d.first, code === "dist" ? times(d.first.perSecond) : "");
      rate("  warm download", d.warm, code === "dist" ? times(d.warm.perSecond) : "");
      if (d.otherGroup) rate("  then a group it never drew", d.otherGroup, code === "dist" ? times(d.otherGroup.perSecond) : "");
      console.log(
        `${"  first / warm".padEnd(52)} ${`${cold.toFixed(2)}×`.padStart(16)}${code === "dist" ? (cold <= 1.5 ? "  ok (≤ 1.5×)" : "  OVER 1.5×") : ""}`,
      );
    }
  }
}

if (!only || only === "kiosk") {
  const { benchKiosk, KIOSKS, ROTATE_SECONDS } = await import("./kiosk.bench.js");
  console.log(
    `\n== lobby kiosks: ${KIOSKS.toLocaleString("en-US")} screens on one process, ${ROTATE_SECONDS} s rotation, sqlite ==`,
  );
  const r = await benchKiosk();
  const row = (name: string, s: { p50: number; p95: number; p99: number; n: number }, verdict = "") =>
    console.log(
      `${name.padEnd(42)} ${ms(s.p50).padStart(10)} ${ms(s.p95).padStart(10)} ${ms(s.p99).padStart(10)}   ${s.n}${verdict}`,
    );
  console.log(`seeded ${KIOSKS} kiosks and people in ${r.seedSeconds.toFixed(1)} s`);
  console.log(`${"".padEnd(42)} ${"p50".padStart(10)} ${"p95".padStart(10)} ${"p99".padStart(10)}   n`);
  row("baseline: bare Socket.IO echo round trip", r.echo);
  row("baseline: the redeem's own HTTP answer", r.redeemAnswer);
  row("redeem → welcome on the kiosk", r.redeemToKiosk, r.redeemToKiosk.p99 <= 50 ? "  ok (≤ 50 ms)" : "  OVER 50 ms");
  console.log(
    `peak RSS of the server: ${r.peakRssMb.toFixed(0)} MB (before the screens connected: ${r.baselineRssMb.toFixed(0)} MB)${r.peakRssMb <= 250 ? "  ok (≤ 250 MB)" : "  OVER 250 MB"}`,
  );
  console.log(`CPU, all screens connected and idle (baseline): ${r.idleCpuPercent.toFixed(2)}% of one core`);
  console.log(
    `CPU, all screens showing a person, rotating:    ${r.rotatingCpuPercent.toFixed(2)}% of one core (${r.codesSent} new codes sent)`,
  );
  console.log(
    `rotation work: ${r.rotationCpuPercent.toFixed(2)}% of one core${r.rotationCpuPercent <= 5 ? "  ok (≤ 5%)" : "  OVER 5%"}`,
  );
}

if (!only || only === "code-flood") {
  const { benchCodeFlood, FLOOD_IN_FLIGHT, PROBES } = await import("./code-flood.bench.js");
  // The refusal path is the same on both databases once the client is over its limit: SQLite
  // unless BENCH_DIALECT says.
  for (const dialect of process.env.BENCH_DIALECT ? targets : (["sqlite"] as const)) {
    console.log(
      `\n== forged kiosk codes: ${FLOOD_IN_FLIGHT} in flight against the redeem endpoint, ${PROBES.toLocaleString("en-US")} /healthz probes one at a time, ${dialect} ==`,
    );
    const r = await benchCodeFlood(dialect);
    console.log(`${"".padEnd(42)} ${"p50".padStart(10)} ${"p95".padStart(10)} ${"p99".padStart(10)}   n`);
    const row = (name: string, x: LoadResult, verdict = "") =>
      console.log(
        `${name.padEnd(42)} ${ms(x.p50).padStart(10)} ${ms(x.p95).padStart(10)} ${ms(x.p99).padStart(10)}   ${x.n}${verdict}`,
      );
    row("baseline: GET /healthz, idle", r.idle);
    const ratio = r.flooded.p50 / r.idle.p50;
    row("GET /healthz during the flood", r.flooded, `  p50 ${ratio.toFixed(2)}× idle${ratio <= 2 ? "  ok (≤ 2×)" : "  OVER 2×"}`);
    console.log(
      `  forged codes evaluated (the rest refused from memory): ${r.evaluated}; flooded probe ran ${r.seconds.toFixed(1)} s`,
    );
  }
}
