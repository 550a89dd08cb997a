import { type FontFamily, fontBytes, fontName, type Weight } from "./fonts.js";
import { textRuns } from "./text-runs.js";

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
 */
export function useFont(doc: Doc, family: FontFamily, weight: Weight): Doc {
  const name = fontName(family, weight);
  let names = registered.get(doc);
  if (!names) {
    names = new Set();
    registered.set(doc, names);
  }
  if (!names.has(name)) {
    doc.registerFont(name, fontBytes(family, weight));
    names.add(name);
  }
  return doc.font(name);
}

/**
 * Writes text at x, y, each run in the font that has its glyphs (pdfkit's `continued` keeps
 * the runs on one flowing line and wraps them together). Leaves doc.y below the text.
 */
export function write(doc: Doc, text: string, x: number, y: number, style: TextStyle): void {
  const runs = textRuns(text);
  const weight = style.weight ?? "regular";
  doc.fillColor(style.color ?? "#000000");
  if (!runs.length) {
    doc.y = y;
    return;
  }
  const options: PDFKit.Mixins.TextOptions = {
    width: style.width,
    align: style.align ?? "left",
    lineGap: style.lineGap ?? 0,
    characterSpacing: style.characterSpacing ?? 0,
    ...(style.height ? { height: style.height, ellipsis: true } : {}),
    ...(style.oneLine ? { lineBreak: false } : {}),
  };
  // pdfkit hangs each run from its own font's ascender, and the CJK fonts' are lower than
  // Noto Sans': mixed runs then sit on their baselines instead, placed where Noto Sans' is.
  const mixed = runs.length > 1 || runs[0]?.family !== "latin";
  const top = mixed ? y + (LATIN_ASCENT * style.size) / 1000 : y;
  runs.forEach((run, i) => {
    // CJK text in bold is the regular face, outlined in its own colour (PDF's fill-and-stroke
    // text mode): the bold CJK fonts would double the ~20 MB every renderer holds in memory.
    const fauxBold = weight === "bold" && run.family !== "latin";
    useFont(doc, run.family, fauxBold ? "regular" : weight).fontSize(style.size);
    const continued = i < runs.length - 1;
    const opts = { ...options, continued, ...(mixed ? { baseline: "alphabetic" as const } : {}) };
    if (fauxBold) {
      doc.lineWidth(style.size * 0.045).strokeColor(style.color ?? "#000000");
      Object.assign(opts, { fill: true, stroke: true });
    } else Object.assign(opts, { fill: true, stroke: false });
    if (i === 0) doc.text(run.text, x, top, opts);
    else doc.text(run.text, opts);
  });
  if (mixed) doc.y -= (LATIN_ASCENT * style.size) / 1000;
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
