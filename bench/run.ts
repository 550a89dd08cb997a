import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { dialects } from "../test/support/databases.js";
import { benchImport, IMPORT_ROWS, writeCsv } from "./import.bench.js";
import { ms } from "./stats.js";
import { benchUsersList, PEOPLE } from "./users-list.bench.js";

/**
 * `npm run bench`: the foundation's figures next to baselines measured in the same run.
 * Targets: users list and search p95 ≤ 20 ms with 100,000 people on SQLite and MariaDB;
 * CSV import of 50,000 rows ≤ 15 s with peak RSS ≤ 300 MB.
 */
const only = process.argv[2];
const found = await dialects();
const targets = found.filter((d) => !process.env.BENCH_DIALECT || d === process.env.BENCH_DIALECT);

if (!only || only === "list") {
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
