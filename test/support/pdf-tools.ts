import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { requireOrSkip } from "./services.js";

const run = promisify(execFile);

/** Whether poppler's pdftoppm, pdftotext and pdfinfo are here (they read our PDFs back). */
export async function popplerOrSkip(): Promise<boolean> {
  let problem: string | null = null;
  try {
    await run("pdfinfo", ["-v"]);
  } catch (err) {
    problem = (err as NodeJS.ErrnoException).code === "ENOENT" ? "pdfinfo not found" : null;
  }
  return requireOrSkip("poppler-utils", problem, "bash scripts/test-services.sh poppler (apt-get install poppler-utils)");
}

async function withFile<T>(pdf: Buffer, fn: (file: string, dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), "invst-pdf-"));
  const file = path.join(dir, "in.pdf");
  writeFileSync(file, pdf);
  try {
    return await fn(file, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** pdfinfo's fields ("Pages", "Page size", …), for the whole document. */
export function pdfInfo(pdf: Buffer): Promise<Record<string, string>> {
  return withFile(pdf, async (file) => {
    const { stdout } = await run("pdfinfo", [file]);
    return Object.fromEntries(
      stdout
        .split("\n")
        .filter((l) => l.includes(":"))
        .map((l) => [l.slice(0, l.indexOf(":")).trim(), l.slice(l.indexOf(":") + 1).trim()]),
    );
  });
}

/** The text of each page, as pdftotext extracts it (form feed between pages). */
export function pdfPagesText(pdf: Buffer): Promise<string[]> {
  return withFile(pdf, async (file) => {
    const { stdout } = await run("pdftotext", ["-enc", "UTF-8", file, "-"], { maxBuffer: 256 * 1024 * 1024 });
    return stdout.split("\f").slice(0, -1);
  });
}

/** One page rendered by pdftoppm at `dpi`, as PNG bytes. */
export function pdfPagePng(pdf: Buffer, page: number, dpi = 150): Promise<Buffer> {
  return withFile(pdf, async (file, dir) => {
    await run("pdftoppm", [
      "-png",
      "-r",
      String(dpi),
      "-f",
      String(page),
      "-l",
      String(page),
      "-singlefile",
      file,
      path.join(dir, "page"),
    ]);
    return readFileSync(path.join(dir, "page.png"));
  });
}

/** Whether zbarimg is here: it reads every QR code on a page, as a phone camera would. */
export async function zbarOrSkip(): Promise<boolean> {
  let problem: string | null = null;
  try {
    await run("zbarimg", ["--version"]);
  } catch (err) {
    problem = (err as NodeJS.ErrnoException).code === "ENOENT" ? "zbarimg not found" : null;
  }
  return requireOrSkip("zbar-tools", problem, "bash scripts/test-services.sh zbar (apt-get install zbar-tools)");
}

/** The QR codes on one page of the PDF, rendered at 150 dpi and read by zbarimg. */
export async function pageQrCodes(pdf: Buffer, page: number): Promise<string[]> {
  const png = await pdfPagePng(pdf, page, 150);
  const dir = mkdtempSync(path.join(tmpdir(), "invst-qr-"));
  try {
    const file = path.join(dir, "page.png");
    writeFileSync(file, png);
    const { stdout } = await run("zbarimg", ["-q", "--raw", "-Sdisable", "-Sqrcode.enable", file]).catch((err) => {
      // zbarimg exits 4 when it finds no code at all: that is an answer, not a failure.
      if ((err as { code?: number }).code === 4) return { stdout: "" };
      throw err;
    });
    return stdout.split("\n").filter(Boolean);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
