import type * as fontkit from "fontkit";
import * as hb from "harfbuzzjs";

/** What pdfkit reads of a shaped glyph: its id (for the subset), its advance and its characters (for copy and search). */
type ShapedGlyph = { id: number; advanceWidth: number; codePoints: number[] };
type Position = { xAdvance: number; yAdvance: number; xOffset: number; yOffset: number };
/** fontkit's GlyphRun as pdfkit uses it (its `advanceWidth` sums the positions, which pdfkit scales in place). */
type Run = { glyphs: ShapedGlyph[]; positions: Position[]; readonly advanceWidth: number };

/**
 * Gives a parsed fontkit font HarfBuzz's shaper (harfbuzzjs, the WebAssembly build of the
 * shaper browsers use) in place of fontkit's own, for pdfkit: fontkit still reads what
 * pdfkit embeds (the subset), HarfBuzz lays out words and says which characters the font
 * has.
 *
 * Why: fontkit decodes the GSUB and GPOS tables into JavaScript objects on first use and
 * shapes each word through them: a cold renderer spent more on that than on its first
 * letters, and each new word (a name, a code) cost about 0.1 ms. HarfBuzz reads the tables
 * where they lie and shapes a word in a few microseconds.
 *
 * HarfBuzz keeps its own copy of the font: used for Noto Sans (0.6 MB a weight, nearly
 * every word), not for the CJK fonts (4–8 MB each, a name now and then), where the copy
 * cost more memory than it saved time.
 *
 * Only pdfkit's plain call is replaced: a layout with explicit OpenType features (the
 * letter asks for none) stays with fontkit.
 */
export function withHarfBuzzLayout(font: fontkit.Font, bytes: Uint8Array): fontkit.Font {
  const shaper = new hb.Font(new hb.Face(new hb.Blob(bytes), 0));
  const advances = new Map<number, number>();
  const advanceOf = (id: number) => {
    let a = advances.get(id);
    if (a === undefined) {
      a = shaper.glyphHAdvance(id);
      advances.set(id, a);
    }
    return a;
  };
  const fontkitLayout = font.layout.bind(font) as (text: string, features: unknown) => fontkit.GlyphRun;
  // One buffer, emptied for each word (a thread shapes one word at a time).
  const buffer = new hb.Buffer();
  const layout = (text: string, features?: unknown): Run | fontkit.GlyphRun => {
    if (features !== undefined && features !== null) return fontkitLayout(text, features);
    buffer.reset();
    buffer.addText(text);
    buffer.guessSegmentProperties();
    hb.shape(shaper, buffer);
    return toRun(text, buffer.getGlyphInfosAndPositions(), advanceOf);
  };
  const hasGlyphForCodePoint = (codePoint: number) => (shaper.glyph(codePoint) ?? 0) !== 0;
  Object.assign(font, { layout, hasGlyphForCodePoint });
  return font;
}

/**
 * HarfBuzz's glyphs as a fontkit run. A glyph's characters are those of its cluster (UTF-16
 * offsets into the text), given to the cluster's first glyph: a ligature such as "fi"
 * carries both letters, as fontkit's did.
 */
function toRun(text: string, shaped: ReturnType<hb.Buffer["getGlyphInfosAndPositions"]>, advanceOf: (id: number) => number): Run {
  const glyphs: ShapedGlyph[] = [];
  const positions: Position[] = [];
  for (let i = 0; i < shaped.length; i++) {
    const g = shaped[i] as (typeof shaped)[number];
    const first = i === 0 || (shaped[i - 1] as (typeof shaped)[number]).cluster !== g.cluster;
    let end = text.length;
    for (let j = i + 1; j < shaped.length; j++) {
      const c = (shaped[j] as (typeof shaped)[number]).cluster;
      if (c !== g.cluster) {
        end = c > g.cluster ? c : end;
        break;
      }
    }
    const codePoints: number[] = [];
    if (first) for (const ch of text.slice(g.cluster, end)) codePoints.push(ch.codePointAt(0) as number);
    glyphs.push({ id: g.codepoint, advanceWidth: advanceOf(g.codepoint), codePoints });
    positions.push({ xAdvance: g.xAdvance ?? 0, yAdvance: g.yAdvance ?? 0, xOffset: g.xOffset ?? 0, yOffset: g.yOffset ?? 0 });
  }
  return {
    glyphs,
    positions,
    get advanceWidth() {
      let width = 0;
      for (const p of positions) width += p.xAdvance;
      return width;
    },
  };
}
