import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import * as fontkit from "fontkit";
import { withHarfBuzzLayout } from "./harfbuzz-layout.js";

/**
 * The letter's fonts, shipped by npm packages (so `npm ci` brings them; nothing from the
 * system): Noto Sans for Latin, Greek and Cyrillic, and Noto Sans JP / SC / KR for names in
 * Chinese, Japanese and Korean. pdfkit embeds each one once per document, subset to the
 * glyphs used, so a 10 MB CJK font costs a few KB in the PDF. The CJK bold faces are not
 * used (see typeset.ts): only regular is read.
 */
export type FontFamily = "latin" | "jp" | "sc" | "kr";
export type Weight = "regular" | "bold";

const require = createRequire(import.meta.url);

/** The folder of font files of a package (its `exports` hide the files, so: next to its entry). */
const fontsDir = (pkg: string) => path.join(path.dirname(require.resolve(pkg)), "..", "fonts");

const FILES: Record<FontFamily, { pkg: string; regular: string; bold: string }> = {
  latin: { pkg: "@embedpdf/fonts-latin", regular: "NotoSans-Regular.ttf", bold: "NotoSans-Bold.ttf" },
  jp: { pkg: "@embedpdf/fonts-jp", regular: "NotoSansJP-Regular.otf", bold: "NotoSansJP-Bold.otf" },
  sc: { pkg: "@embedpdf/fonts-sc", regular: "NotoSansHans-Regular.otf", bold: "NotoSansHans-Bold.otf" },
  kr: { pkg: "@embedpdf/fonts-kr", regular: "NotoSansKR-Regular.otf", bold: "NotoSansKR-Bold.otf" },
};

/** The name a document registers a font under, e.g. "sc-bold". */
export const fontName = (family: FontFamily, weight: Weight) => `${family}-${weight}`;

// Read and parsed once per thread and shared by every document it renders: CJK files are
// several MB each (only read when a name first needs them), and parsing a font's tables
// again for each 50-letter print job cost more than drawing its letters.
const bytes = new Map<string, Buffer>();
const parsed = new Map<string, fontkit.Font>();

export function fontBytes(family: FontFamily, weight: Weight): Buffer {
  const key = fontName(family, weight);
  let data = bytes.get(key);
  if (!data) {
    const spec = FILES[family];
    data = readFileSync(path.join(fontsDir(spec.pkg), spec[weight]));
    bytes.set(key, data);
  }
  return data;
}

/**
 * The font, parsed, for pdfkit (which takes a fontkit font as well as bytes), Noto Sans
 * shaped by HarfBuzz (harfbuzz-layout.ts): each document still embeds its own subset;
 * what is shared is the font's tables and glyphs.
 */
export function parsedFont(family: FontFamily, weight: Weight): fontkit.Font {
  const key = fontName(family, weight);
  let font = parsed.get(key);
  if (!font) {
    const data = fontBytes(family, weight);
    font = fontkit.create(data) as fontkit.Font;
    if (family === "latin") font = withHarfBuzzLayout(font, data);
    parsed.set(key, font);
  }
  return font;
}

const coverage: Record<FontFamily, Map<number, boolean>> = { latin: new Map(), jp: new Map(), sc: new Map(), kr: new Map() };

/** Whether the family draws this character (memoized: names repeat characters a lot). Both weights have the same. */
export function hasGlyph(family: FontFamily, codePoint: number): boolean {
  const known = coverage[family];
  let has = known.get(codePoint);
  if (has === undefined) {
    has = parsedFont(family, "regular").hasGlyphForCodePoint(codePoint);
    known.set(codePoint, has);
  }
  return has;
}
