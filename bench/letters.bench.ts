import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { insertImportedUsers, type UserRow } from "../server/people/users.repo.js";
import { startTestApp } from "../test/support/app.js";
import { launchChromium } from "../test/support/chromium.js";
import type { Dialect } from "../test/support/databases.js";
import { letterHtml } from "./letter-html.js";
import { person, personRow, rng } from "./people-data.js";

export const LETTERS = Number(process.env.BENCH_LETTERS ?? 10_000);
const CHROMIUM_PAGES = Number(process.env.BENCH_CHROMIUM_PAGES ?? 200);
const CHROMIUM_SINGLE = 25;
const PUBLIC_URL = "https://invite.northwind.example";
const STORES = ["https://apps.apple.com/app/id1234567890", "https://play.google.com/store/apps/details?id=com.teamline"];

/** Names in other scripts, one person in sixteen: the fallback fonts are part of the cost. */
const OTHER_SCRIPTS: Array<[string, string]> = [
  ["Ελένη", "Παπαδοπούλου"],
  ["Дмитрий", "Иванов"],
  ["小明", "王"],
  ["さくら", "髙橋"],
  ["민준", "김"],
  ["Çağla", "Öztürk"],
];

export type Rate = { pages: number; seconds: number; perSecond: number };
export type LettersResult = {
  pdfkit: Rate & { kbPerLetter: number; peakRssMb: number; checkSeconds: number; bytes: number };
  chromiumBatch: Rate | null;
  chromiumSingle: Rate | null;
  seedSeconds: number;
};

export async function benchLetters(dialect: Dialect): Promise<LettersResult> {
  const app = await startTestApp(dialect, { PUBLIC_URL });
  const dir = mkdtempSync(path.join(tmpdir(), "invst-letters-"));
  try {
    const seedStart = performance.now();
    await app.ctx.settings.update(
      {
        organizationName: "Northwind Logistics",
        appName: "Teamline",
        frontDeskContact: "Reception, ext. 100",
        appStoreUrl: STORES[0],
        playStoreUrl: STORES[1],
      },
      { type: "cli", id: null, label: "bench", ip: null },
    );
    const ids = await seedPending(app.ctx.db);
    // The letters show the current invitation again: make them first, as the front desk would have.
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < ids.length) await app.ctx.invitations.current(ids[next++] as number);
      }),
    );
    const seedSeconds = (performance.now() - seedStart) / 1000;

    const idsFile = path.join(dir, "ids.json");
    const out = path.join(dir, "letters.pdf");
    writeFileSync(idsFile, JSON.stringify(ids));
    const child = await runChild({ ...app.database.env, PUBLIC_URL, BENCH_LETTER_IDS: idsFile, BENCH_LETTER_OUT: out });
    const bytes = statSync(out).size;
    const pages = await pdfPages(out);
    if (pages !== null && pages !== ids.length) throw new Error(`the PDF has ${pages} pages for ${ids.length} letters`);

    const sample = await Promise.all(
      ids.slice(0, CHROMIUM_PAGES).map(async (id) => {
        const [user, inv] = await Promise.all([app.ctx.users.get(id), app.ctx.invitations.current(id)]);
        return { fullName: `${user.firstName} ${user.lastName}`, url: inv.url, code: inv.code, expires: inv.expiresAt ?? "" };
      }),
    );
    const { batch, single } = await chromiumRates(sample);
    return {
      pdfkit: {
        pages: ids.length,
        seconds: child.seconds,
        perSecond: ids.length / child.seconds,
        kbPerLetter: bytes / 1024 / ids.length,
        peakRssMb: child.maxRssMb,
        checkSeconds: child.checkSeconds,
        bytes,
      },
      chromiumBatch: batch,
      chromiumSingle: single,
      seedSeconds,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await app.stop();
  }
}

async function seedPending(db: import("knex").Knex): Promise<number[]> {
  const rand = rng(11);
  const now = Date.now();
  const ids: number[] = [];
  const chunk = 2_000;
  for (let start = 0; start < LETTERS; start += chunk) {
    const rows: Array<UserRow & { import_row: number }> = [];
    for (let i = start; i < Math.min(LETTERS, start + chunk); i++) {
      const p = person(i, rand);
      const other = i % 16 === 5 ? OTHER_SCRIPTS[(i >> 4) % OTHER_SCRIPTS.length] : undefined;
      const named = other ? { ...p, firstName: other[0], lastName: other[1] } : p;
      rows.push(personRow(named, i + 1, now - (LETTERS - i) * 1000, "pending"));
    }
    ids.push(...(await db.transaction((trx) => insertImportedUsers(trx, 1, rows))));
  }
  return ids;
}

function runChild(env: Record<string, string>): Promise<{ seconds: number; checkSeconds: number; maxRssMb: number }> {
  return new Promise((resolve, reject) => {
    // With this process's flags (`npm run bench` starts it as `npm start` starts the service).
    const child = spawn(process.execPath, [...process.execArgv, path.join(import.meta.dirname, "letters-child.ts")], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`letters renderer exited ${code}: ${stderr.slice(-2000)}`));
      resolve(JSON.parse(stdout.trim().split("\n").pop() as string));
    });
  });
}

async function pdfPages(file: string): Promise<number | null> {
  try {
    const { stdout } = await promisify(execFile)("pdfinfo", [file]);
    return Number(/^Pages:\s+(\d+)/m.exec(stdout)?.[1]);
  } catch {
    return null;
  }
}

/**
 * Chromium's page.pdf on the same letter as HTML, two ways: one document of many letters
 * (its best case) and one letter per call (how a single download would be made).
 */
async function chromiumRates(
  letters: Array<{ fullName: string; url: string; code: string; expires: string }>,
): Promise<{ batch: Rate | null; single: Rate | null }> {
  const browser = await launchChromium();
  if (!browser) return { batch: null, single: null };
  try {
    const page = await browser.newPage();
    const org = "Northwind Logistics";
    // Warm up: fonts decoded, layout code paths compiled.
    await page.setContent(await letterHtml(letters.slice(0, 1), org, "Teamline", STORES));
    await page.pdf({ format: "A4", printBackground: true, preferCSSPageSize: true });

    let start = performance.now();
    await page.setContent(await letterHtml(letters, org, "Teamline", STORES));
    await page.pdf({ format: "A4", printBackground: true, preferCSSPageSize: true });
    let seconds = (performance.now() - start) / 1000;
    const batch = { pages: letters.length, seconds, perSecond: letters.length / seconds };

    start = performance.now();
    for (const letter of letters.slice(0, CHROMIUM_SINGLE)) {
      await page.setContent(await letterHtml([letter], org, "Teamline", STORES));
      await page.pdf({ format: "A4", printBackground: true, preferCSSPageSize: true });
    }
    seconds = (performance.now() - start) / 1000;
    const single = { pages: CHROMIUM_SINGLE, seconds, perSecond: CHROMIUM_SINGLE / seconds };
    return { batch, single };
  } finally {
    await browser.close();
  }
}
