import { type FontFamily, fontName, parsedFont, type Weight } from "./fonts.js";
import { shareLayoutCache } from "./layout-cache.js";
import { type TextRun, textRuns } from "./text-runs.js";

export type Doc = PDFKit.PDFDocument;

/** Noto Sans' ascender in thousandths of the size (hhea ascent 1069 of 1000 units). */
const LATIN_ASCENT = 1069;

export type TextStyle = {
  size: number;
  weight?: Weight;
  color?: string;
  width?: number;
  align?: "left" | "center" | "right";
  lineGap?: number;
  characterSpacing?: number;
  /** Cut the text off (with an ellipsis) below this height. */
  height?: number;
  /** Known to fit one line: set without pdfkit's line wrapper (much less work per letter). */
  oneLine?: boolean;
};

const registered = new WeakMap<Doc, Set<string>>();

/**
 * Selects a font, registering it with the document on first use: pdfkit embeds only the
 * fonts a document uses, and a process that never prints a CJK name never reads one.
 * The font's tables and word layouts are the thread's, shared with its other documents.
 */
export function useFont(doc: Doc, family: FontFamily, weight: Weight): Doc {
  const name = fontName(family, weight);
  let names = registered.get(doc);
  if (!names) {
    names = new Set();
    registered.set(doc, names);
  }
  if (names.has(name)) return doc.font(name);
  // pdfkit takes a parsed fontkit font as well as bytes (its types say only bytes).
  doc.registerFont(name, parsedFont(family, weight) as unknown as Buffer);
  names.add(name);
  doc.font(name);
  shareLayoutCache(doc, name);
  return doc;
}

/** Writes text at x, y, each run in the font that has its glyphs. Leaves doc.y below the text. */
export function write(doc: Doc, text: string, x: number, y: number, style: TextStyle): void {
  const runs = textRuns(text);
  doc.fillColor(style.color ?? "#000000");
  if (!runs.length) {
    doc.y = y;
    return;
  }
  // pdfkit hangs each run from its own font's ascender, and the CJK fonts' are lower than
  // Noto Sans': mixed runs then sit on their baselines instead, placed where Noto Sans' is.
  const mixed = runs.length > 1 || runs[0]?.family !== "latin";
  const top = mixed ? y + (LATIN_ASCENT * style.size) / 1000 : y;
  if (style.oneLine) writeLine(doc, runs, x, top, style, mixed);
  else writeWrapped(doc, runs, x, top, style, mixed);
  if (mixed) doc.y -= (LATIN_ASCENT * style.size) / 1000;
}

/** The font options of one run: CJK text in bold is the regular face, outlined in its own colour. */
function selectRun(doc: Doc, run: TextRun, style: TextStyle): PDFKit.Mixins.TextOptions {
  // PDF's fill-and-stroke text mode: the bold CJK fonts would double the ~20 MB every
  // renderer holds in memory.
  const fauxBold = (style.weight ?? "regular") === "bold" && run.family !== "latin";
  useFont(doc, run.family, fauxBold ? "regular" : (style.weight ?? "regular")).fontSize(style.size);
  if (!fauxBold) return { fill: true, stroke: false };
  doc.lineWidth(style.size * 0.045).strokeColor(style.color ?? "#000000");
  return { fill: true, stroke: true };
}

/** Through pdfkit's line wrapper: `continued` keeps the runs on one flowing line and wraps them together. */
function writeWrapped(doc: Doc, runs: TextRun[], x: number, top: number, style: TextStyle, mixed: boolean): void {
  const options: PDFKit.Mixins.TextOptions = {
    width: style.width,
    align: style.align ?? "left",
    lineGap: style.lineGap ?? 0,
    characterSpacing: style.characterSpacing ?? 0,
    ...(style.height ? { height: style.height, ellipsis: true } : {}),
    ...(mixed ? { baseline: "alphabetic" as const } : {}),
  };
  runs.forEach((run, i) => {
    const opts = { ...options, ...selectRun(doc, run, style), continued: i < runs.length - 1 };
    if (i === 0) doc.text(run.text, x, top, opts);
    else doc.text(run.text, opts);
  });
}

/**
 * Text known to fit one line, placed by its measured width, without the line wrapper: the
 * wrapper shapes each word again (a code's halves around its hyphen too), and personal words
 * (codes, ids) are shaped afresh on every letter. Leaves doc.y where the wrapper would.
 */
function writeLine(doc: Doc, runs: TextRun[], x: number, top: number, style: TextStyle, mixed: boolean): void {
  const characterSpacing = style.characterSpacing ?? 0;
  let left = x;
  if (style.width && style.align && style.align !== "left") {
    const free = style.width - widthOf(doc, runs.map((r) => r.text).join(""), style);
    left += style.align === "center" ? free / 2 : free;
  }
  doc.x = left;
  for (const run of runs) {
    const opts = {
      ...selectRun(doc, run, style),
      lineBreak: false,
      characterSpacing,
      ...(mixed ? { baseline: "alphabetic" as const } : {}),
    };
    // Without a width pdfkit draws at doc.x and moves doc.x past the run.
    doc.text(run.text, doc.x, top, opts);
  }
  doc.x = x;
  doc.y = top + doc.currentLineHeight(true) + (style.lineGap ?? 0);
}

/** The width of text on one line, summing its runs in their own fonts. */
export function widthOf(doc: Doc, text: string, style: Pick<TextStyle, "size" | "weight" | "characterSpacing">): number {
  let width = 0;
  for (const run of textRuns(text)) {
    useFont(doc, run.family, run.family === "latin" ? (style.weight ?? "regular") : "regular").fontSize(style.size);
    width += doc.widthOfString(run.text, { characterSpacing: style.characterSpacing ?? 0 });
  }
  return width;
}

/** The height of wrapped text (measured in Noto Sans: CJK text is rare outside names). */
export function heightOf(doc: Doc, text: string, style: TextStyle): number {
  useFont(doc, "latin", style.weight ?? "regular").fontSize(style.size);
  return doc.heightOfString(text, { width: style.width, lineGap: style.lineGap ?? 0 });
}

const lineHeights = new Map<string, number>();

/** The height of one line of Noto Sans at this size and weight (the same in every document). */
export function lineHeight(doc: Doc, size: number, weight: Weight = "regular"): number {
  const key = `${size}:${weight}`;
  let h = lineHeights.get(key);
  if (h === undefined) {
    h = heightOf(doc, "W", { size, weight });
    lineHeights.set(key, h);
  }
  return h;
}

/**
 * The largest size (down to `min`) at which text fits `width` on one line, and whether it
 * does fit there. Widths scale with the size, so one measurement decides.
 */
export function fitSize(
  doc: Doc,
  text: string,
  width: number,
  size: number,
  min: number,
  weight: Weight = "regular",
): { size: number; fits: boolean } {
  const natural = widthOf(doc, text, { size, weight });
  if (natural <= width) return { size, fits: true };
  const fitted = Math.floor((size * width) / natural);
  return fitted >= min ? { size: fitted, fits: true } : { size: min, fits: false };
}
