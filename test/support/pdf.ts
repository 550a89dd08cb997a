import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import jsQRModule from "jsqr";
import PDFDocument from "pdfkit";
import { PNG } from "pngjs";

type Decode = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
// jsqr is a CommonJS bundle: its function is the module itself or its `default`, depending on the loader.
const jsQR: Decode =
  typeof jsQRModule === "function" ? (jsQRModule as unknown as Decode) : (jsQRModule as unknown as { default: Decode }).default;

/** A small real PDF (pdfkit), for driver tests that need a document but not a letter. */
export function samplePdf(text: string, pages = 1): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: "A4", info: { Title: text } });
    const chunks: Buffer[] = [];
    doc.on("data", (c: Buffer) => chunks.push(c));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
    for (let i = 0; i < pages; i++) {
      if (i) doc.addPage();
      doc.fontSize(24).text(`${text} — page ${i + 1}`);
    }
    doc.end();
  });
}

/** pdftotext of the whole document. */
export function pdfText(pdf: Buffer): string {
  return execFileSync("pdftotext", ["-layout", "-", "-"], { input: pdf, maxBuffer: 64 * 1024 * 1024 }).toString("utf8");
}

export function pdfPageCount(pdf: Buffer): number {
  const info = execFileSync("pdfinfo", ["-"], { input: pdf }).toString("utf8");
  return Number(/Pages:\s+(\d+)/.exec(info)?.[1] ?? 0);
}

/**
 * The QR codes of each page, decoded (pdftoppm at 100 dpi, then jsQR): the page's text,
 * or null for a page without one (a cover sheet).
 */
export function qrCodesPerPage(pdf: Buffer, opts: { first?: number; last?: number } = {}): Array<string | null> {
  const dir = mkdtempSync(path.join(tmpdir(), "invst-qr-"));
  try {
    writeFileSync(path.join(dir, "in.pdf"), pdf);
    const range = [...(opts.first ? ["-f", String(opts.first)] : []), ...(opts.last ? ["-l", String(opts.last)] : [])];
    execFileSync("pdftoppm", ["-r", "100", "-gray", "-png", ...range, path.join(dir, "in.pdf"), path.join(dir, "page")]);
    return readdirSync(dir)
      .filter((f) => f.startsWith("page") && f.endsWith(".png"))
      .sort((a, b) => Number(/(\d+)\.png$/.exec(a)?.[1]) - Number(/(\d+)\.png$/.exec(b)?.[1]))
      .map((f) => {
        const png = PNG.sync.read(readFileSync(path.join(dir, f)));
        return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? null;
      });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
