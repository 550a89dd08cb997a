import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
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

/**
 * Runs a poppler tool on a document, asynchronously: the service under test runs in this
 * process, and a blocked event loop would stall it (and break its keep-alive connections).
 */
function poppler(cmd: string, args: string[], input?: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
    if (input) child.stdin?.end(input);
  });
}

/** pdftotext of the whole document; pages are separated by form feeds. */
export function pdfText(pdf: Buffer): Promise<string> {
  return poppler("pdftotext", ["-layout", "-", "-"], pdf);
}

/**
 * The QR codes of each page, decoded (pdftoppm at 100 dpi, then jsQR): the page's text,
 * or null for a page without one (a cover sheet).
 */
export async function qrCodesPerPage(pdf: Buffer, opts: { first?: number; last?: number } = {}): Promise<Array<string | null>> {
  const dir = await mkdtemp(path.join(tmpdir(), "invst-qr-"));
  try {
    await writeFile(path.join(dir, "in.pdf"), pdf);
    const range = [...(opts.first ? ["-f", String(opts.first)] : []), ...(opts.last ? ["-l", String(opts.last)] : [])];
    await poppler("pdftoppm", ["-r", "100", "-gray", "-png", ...range, path.join(dir, "in.pdf"), path.join(dir, "page")]);
    const pages = (await readdir(dir))
      .filter((f) => f.startsWith("page") && f.endsWith(".png"))
      .sort((a, b) => Number(/(\d+)\.png$/.exec(a)?.[1]) - Number(/(\d+)\.png$/.exec(b)?.[1]));
    const out: Array<string | null> = [];
    for (const f of pages) {
      const png = PNG.sync.read(await readFile(path.join(dir, f)));
      out.push(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? null);
      // jsQR is synchronous: let the service in this process breathe between pages.
      await new Promise((r) => setImmediate(r));
    }
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The document's page count (pdfinfo). */
export async function pdfPages(pdf: Buffer): Promise<number> {
  return Number(/Pages:\s+(\d+)/.exec(await poppler("pdfinfo", ["-"], pdf))?.[1] ?? 0);
}
