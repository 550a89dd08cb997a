import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type Dialect, freshDatabase } from "../test/support/databases.js";
import { person, rng } from "./people-data.js";

export const IMPORT_ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 50_000);

/** A Spanish-style export: semicolons, BOM, Spanish headers, a group column. */
export function writeCsv(file: string, rows: number) {
  const rand = rng(99);
  const lines = ["\uFEFFNombre;Apellidos;Correo electrónico;Teléfono;Consentimiento;ID empleado;Departamento;Sede;Idioma;Grupos"];
  for (let i = 0; i < rows; i++) {
    const p = person(i, rand);
    lines.push(
      [
        p.firstName,
        p.lastName,
        p.email ?? "",
        p.phone ?? "",
        p.phone ? "sí" : "",
        p.employeeId,
        p.department,
        p.site,
        p.language,
        `${p.site}|${p.department}`,
      ].join(";"),
    );
  }
  writeFileSync(file, `${lines.join("\n")}\n`);
}

/** Runs a command, sampling its peak resident memory (VmHWM) from /proc. */
function run(
  cmd: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ seconds: number; peakRssMb: number; code: number; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let stdout = "";
    let peak = 0;
    const readPeak = () => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, "utf8") as string;
        const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
        peak = Math.max(peak, kb);
      } catch {}
    };
    const timer = setInterval(readPeak, 50);
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("exit", (code) => {
      clearInterval(timer);
      resolve({ seconds: (performance.now() - start) / 1000, peakRssMb: peak / 1024, code: code ?? -1, stderr, stdout });
    });
    child.on("spawn", readPeak);
  });
}

const root = path.resolve(import.meta.dirname, "..");

/** The node flags of `npm run cli` (package.json), so the benchmark runs the command as people do. */
function cliNodeFlags(): string[] {
  const script: string = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).scripts.cli;
  const words = script.split(/\s+/);
  return words.slice(words.indexOf("node") + 1, words.indexOf("server/cli/main.ts"));
}

export async function benchImport(dialect: Dialect, csv: string) {
  const db = await freshDatabase(dialect);
  try {
    const env = { ...db.env, LOG_LEVEL: "warn" };
    const tsx = ["--import", "tsx"];
    const cli = [...cliNodeFlags(), path.join(root, "server/cli/main.ts")];
    // Baseline in the same run: a process that only parses the same file (same runtime, no database).
    const parseOnly = await run(process.execPath, [...tsx, path.join(root, "bench/parse-only.ts"), csv], env);
    const migrate = await run(process.execPath, [...cli, "migrate"], env);
    if (migrate.code !== 0) throw new Error(`migrate failed: ${migrate.stderr}`);
    const dry = await run(process.execPath, [...cli, "users", "import", csv, "--dry-run"], env);
    const real = await run(process.execPath, [...cli, "users", "import", csv], env);
    if (real.code !== 0) throw new Error(`import failed (${real.code}): ${real.stderr.slice(-2000)}`);
    return { parseOnly, dry, real };
  } finally {
    await db.drop();
  }
}
