// Runs every test/**/*.test.ts with node's test runner (through tsx), two files at a time.
// Node 20 does not expand globs in `--test` arguments, so the list is built here.
//
//   node scripts/run-tests.mjs                      all suites
//   node scripts/run-tests.mjs users api/           suites whose path contains "users" or "api/"
//   node scripts/run-tests.mjs test/x.test.ts       that file
//   node scripts/run-tests.mjs --test-name-pattern=regenerate   options go to node
//
// Exits with the runner's code. Services are not started here: `npm test` runs
// scripts/test-services.sh first; `npm run test:quick` skips that.
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const testDir = path.join(root, "test");

/** Node options that take their value as the next argument (so it is not read as a filter). */
const takesValue = new Set([
  "--test-name-pattern",
  "--test-skip-pattern",
  "--test-reporter",
  "--test-reporter-destination",
  "--test-concurrency",
  "--test-timeout",
  "--test-shard",
  "--conditions",
  "-C",
  "--import",
  "--require",
  "-r",
]);

const nodeOptions = [];
const filters = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === "--") continue;
  if (arg.startsWith("-")) {
    nodeOptions.push(arg);
    if (takesValue.has(arg) && i + 1 < args.length) nodeOptions.push(args[++i]);
  } else {
    filters.push(arg);
  }
}

function findTests(dir) {
  if (!existsSync(dir)) return [];
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTests(full));
    else if (entry.name.endsWith(".test.ts")) found.push(full);
  }
  return found;
}

const all = findTests(testDir)
  .map((f) => path.relative(root, f).split(path.sep).join("/"))
  .sort();

let files = all;
if (filters.length > 0) {
  const wanted = filters.map((f) => f.split(path.sep).join("/").replace(/^\.\//, ""));
  files = all.filter((f) => wanted.some((w) => f.includes(w)));
  // A .ts file named on purpose runs even outside test/ or without the .test.ts suffix.
  for (const filter of filters) {
    const named = path.relative(root, path.resolve(filter));
    if (filter.endsWith(".ts") && existsSync(named) && !files.includes(named)) files.push(named);
  }
}

if (files.length === 0) {
  const what = filters.length > 0 ? `matching ${filters.map((f) => JSON.stringify(f)).join(" or ")}` : "under test/";
  process.stderr.write(`run-tests: no test files (*.test.ts) ${what}\n`);
  process.exit(1);
}

const nodeArgs = [
  "--import",
  "tsx",
  "--test",
  "--test-concurrency=2",
  // A hung test fails after 5 minutes instead of holding CI until its time limit; a test that
  // needs longer says so itself (the two-instance suite mails 1,000 people through two processes).
  "--test-timeout=300000",
  ...nodeOptions, // after the defaults: a later option wins
  ...files,
];

process.stderr.write(`run-tests: ${files.length} file(s)\n`);
const child = spawn(process.execPath, nodeArgs, { cwd: root, stdio: "inherit", env: process.env });
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("exit", (code, signal) => {
  process.exit(code ?? (signal ? 1 : 0));
});
