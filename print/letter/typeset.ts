import { FONT_FAMILIES, fontBytes, fontName, type Weight } from "./fonts.js";
import { textRuns } from "./text-runs.js";

export type Doc = PDFKit.PDFDocument;

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

/**
 * Registers every font under its name; pdfkit opens (and later embeds) only the ones a
 * page uses, so a document of Latin names never carries a CJK font.
 */
export function registerFonts(doc: Doc): void {
  for (const family of FONT_FAMILIES) {
    for (const weight of ["regular", "bold"] as const) doc.registerFont(fontName(family, weight), fontBytes(family, weight));
  }
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
  runs.forEach((run, i) => {
    doc.font(fontName(run.family, weight)).fontSize(style.size);
    const continued = i < runs.length - 1;
    if (i === 0) doc.text(run.text, x, y, { ...options, continued });
    else doc.text(run.text, { ...options, continued });
  });
}

/** The width of text on one line, summing its runs in their own fonts. */
export function widthOf(doc: Doc, text: string, style: Pick<TextStyle, "size" | "weight" | "characterSpacing">): number {
  let width = 0;
  for (const run of textRuns(text)) {
    doc.font(fontName(run.family, style.weight ?? "regular")).fontSize(style.size);
    width += doc.widthOfString(run.text, { characterSpacing: style.characterSpacing ?? 0 });
  }
  return width;
}

/** The height of wrapped text (measured in Noto Sans: CJK text is rare outside names). */
export function heightOf(doc: Doc, text: string, style: TextStyle): number {
  doc.font(fontName("latin", style.weight ?? "regular")).fontSize(style.size);
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
