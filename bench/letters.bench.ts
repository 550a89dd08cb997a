import { execFile, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { cliActor } from "../server/core/events.js";
import { insertImportedUsers, type UserRow } from "../server/people/users.repo.js";
import { createApiKey, startTestApp } from "../test/support/app.js";
import { launchChromium } from "../test/support/chromium.js";
import type { Dialect } from "../test/support/databases.js";
import { letterHtml } from "./letter-html.js";
import { type Download, type ServiceCode, timeDownloads } from "./letters-download.js";
import { person, personRow, rng } from "./people-data.js";

export const LETTERS = Number(process.env.BENCH_LETTERS ?? 10_000);
const CHROMIUM_PAGES = Number(process.env.BENCH_CHROMIUM_PAGES ?? 200);
const CHROMIUM_SINGLE = 25;
/** The group whose PDF is downloaded from a freshly started service. */
export const GROUP_LETTERS = Math.min(LETTERS, Number(process.env.BENCH_GROUP_LETTERS ?? 1_000));
const ROOT = path.resolve(import.meta.dirname, "..");
/** How production ran before it was compiled (`npm start` then), and how it runs now. */
const CODES: ServiceCode[] = ["sources", "dist"];
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
export type Render = Rate & { kbPerLetter: number; peakRssMb: number; checkSeconds: number; bytes: number };
export type LettersResult = {
  /** The whole set in one PDF, rendered by the TypeScript sources (tsx) and by the compiled code. */
  render: Record<ServiceCode, Render>;
  /** A group's PDF through the API of a service just started: the first download and a warm one. */
  group: Record<ServiceCode, Download>;
  /** The load average when the figures were taken (1, 5 and 15 minutes). */
  load: number[];
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
    execFileSync(process.execPath, [path.join(ROOT, "scripts/build.mjs"), "--if-stale"], { stdio: "inherit" });
    const render = {} as Record<ServiceCode, Render>;
    for (const code of CODES) {
      const child = await runChild(code, { ...app.database.env, PUBLIC_URL, BENCH_LETTER_IDS: idsFile, BENCH_LETTER_OUT: out });
      const bytes = statSync(out).size;
      const pages = await pdfPages(out);
      if (pages !== null && pages !== ids.length) throw new Error(`the PDF has ${pages} pages for ${ids.length} letters`);
      render[code] = {
        pages: ids.length,
        seconds: child.seconds,
        perSecond: ids.length / child.seconds,
        kbPerLetter: bytes / 1024 / ids.length,
        peakRssMb: child.maxRssMb,
        checkSeconds: child.checkSeconds,
        bytes,
      };
    }

    const group = await app.ctx.groups.create("Bench: new starters", cliActor());
    await app.ctx.groups.addMembers(group.id, ids.slice(0, GROUP_LETTERS), cliActor());
    // The next people, when there are enough: what a warm service meets with a group it has never drawn.
    const others = ids.slice(GROUP_LETTERS, 2 * GROUP_LETTERS);
    const otherGroup = others.length === GROUP_LETTERS ? await app.ctx.groups.create("Bench: next starters", cliActor()) : null;
    if (otherGroup) await app.ctx.groups.addMembers(otherGroup.id, others, cliActor());
    const key = await createApiKey(app.ctx, ["invitations"]);
    const downloads = {} as Record<ServiceCode, Download>;
    for (const code of CODES) {
      downloads[code] = await timeDownloads(code, {
        env: { ...app.database.env, PUBLIC_URL },
        path: `/api/v1/groups/${group.id}/invitations.pdf?paper=A4`,
        ...(otherGroup ? { otherPath: `/api/v1/groups/${otherGroup.id}/invitations.pdf?paper=A4` } : {}),
        key,
        letters: GROUP_LETTERS,
        file: path.join(dir, `group-${code}.pdf`),
        pages: pdfPages,
      });
    }

    const sample = await Promise.all(
      ids.slice(0, CHROMIUM_PAGES).map(async (id) => {
        const [user, inv] = await Promise.all([app.ctx.users.get(id), app.ctx.invitations.current(id)]);
        return { fullName: `${user.firstName} ${user.lastName}`, url: inv.url, code: inv.code, expires: inv.expiresAt ?? "" };
      }),
    );
    const { batch, single } = await chromiumRates(sample);
    return { render, group: downloads, load: loadavg(), chromiumBatch: batch, chromiumSingle: single, seedSeconds };
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

function runChild(
  code: ServiceCode,
  env: Record<string, string>,
): Promise<{ seconds: number; checkSeconds: number; maxRssMb: number }> {
  return new Promise((resolve, reject) => {
    // With the flags `npm start` gives the service: the TypeScript loader for the sources only.
    const flags = code === "sources" ? ["--max-semi-space-size=4", "--import", "tsx"] : ["--max-semi-space-size=4"];
    const child = spawn(process.execPath, [...flags, path.join(import.meta.dirname, "letters-child.mjs")], {
      env: { ...process.env, ...env, BENCH_CODE: code },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("exit", (status) => {
      if (status !== 0) return reject(new Error(`letters renderer exited ${status}: ${stderr.slice(-2000)}`));
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
