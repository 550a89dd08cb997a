// Fails when SQL (a knex query or raw SQL) appears outside a repository (*.repo.ts), the core
// (server/core/) and the migrations: docs/architecture.md's rule, checked in CI by `npm run lint`.
// Services may open transactions (`db.transaction`) and hand them to repositories.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const SOURCES = ["server", "kiosk", "print"];
const ALLOWED = [/^server\/core\//, /\.repo\.ts$/];
/** A query builder called on a table (`db("users")`, `trx("outbox")`, `this.db("…")`), raw SQL, the schema builder. */
const SQL = [
  /\b(?:db|trx|tx|knex)\s*\(\s*["'`]/,
  /\.(?:raw|whereRaw|joinRaw|orderByRaw|havingRaw)\s*\(/,
  /\.schema\.(?:createTable|alterTable|dropTable|hasTable|hasColumn)\b/,
];

const offences = [];
const walk = (dir) => {
  for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name !== "public" && entry.name !== "node_modules") walk(rel);
    } else if (rel.endsWith(".ts") && !ALLOWED.some((a) => a.test(rel))) {
      readFileSync(path.join(ROOT, rel), "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (SQL.some((p) => p.test(line))) offences.push(`${rel}:${i + 1}: ${line.trim()}`);
        });
    }
  }
};
for (const dir of SOURCES) walk(dir);
if (offences.length) {
  process.stderr.write(`SQL outside a repository (*.repo.ts) or server/core/:\n${offences.join("\n")}\n`);
  process.exit(1);
}
