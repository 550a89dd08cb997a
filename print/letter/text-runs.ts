import { type FontFamily, hasGlyph } from "./fonts.js";

export type TextRun = { family: FontFamily; text: string };

const KANA = /[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]/u;
const HANGUL = /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]/u;

/**
 * The CJK fonts to try for a stretch of text, best first: kana means Japanese, Hangul
 * means Korean, Han alone is read as Chinese. Each has most of the others' characters, so
 * the rest of the list catches what the first lacks (髙 or 﨑 only in the Japanese font).
 */
function cjkPreference(text: string): FontFamily[] {
  if (HANGUL.test(text)) return ["kr", "jp", "sc"];
  if (KANA.test(text)) return ["jp", "sc", "kr"];
  return ["sc", "jp", "kr"];
}

function covers(family: FontFamily, text: string): boolean {
  for (const c of text) if (!hasGlyph(family, c.codePointAt(0) as number)) return false;
  return true;
}

/**
 * Splits text into runs, each in a font that has its glyphs: Noto Sans (Latin, Greek,
 * Cyrillic) where it can, one CJK font for each stretch it cannot draw. Spaces and
 * punctuation between two CJK characters stay in the CJK run, so "山田 太郎" is one run.
 * A character no font has stays in Noto Sans (drawn as a box, but still in the text).
 */
export function textRuns(text: string): TextRun[] {
  if (!text) return [];
  // Nearly all text is Noto Sans' alone: said without building anything.
  if (covers("latin", text)) return [{ family: "latin", text }];
  const chars = [...text];
  const latin = chars.map((c) => hasGlyph("latin", c.codePointAt(0) as number));

  // Latin-drawable spaces and punctuation between two characters Latin cannot draw join them.
  const isGap = (c: string) => /[\s\p{P}\p{Zs}]/u.test(c);
  const foreign = latin.map((ok) => !ok);
  for (let i = 0; i < chars.length; i++) {
    if (foreign[i] || !isGap(chars[i] as string)) continue;
    let j = i;
    while (j < chars.length && !foreign[j] && isGap(chars[j] as string)) j++;
    if (i > 0 && foreign[i - 1] && j < chars.length && foreign[j]) for (let k = i; k < j; k++) foreign[k] = true;
    i = j - 1;
  }

  const runs: TextRun[] = [];
  const push = (family: FontFamily, piece: string) => {
    const last = runs[runs.length - 1];
    if (last && last.family === family) last.text += piece;
    else runs.push({ family, text: piece });
  };
  for (let i = 0; i < chars.length; ) {
    let j = i;
    while (j < chars.length && foreign[j] === foreign[i]) j++;
    const piece = chars.slice(i, j).join("");
    if (!foreign[i]) push("latin", piece);
    else {
      const order = cjkPreference(piece);
      const whole = order.find((f) => covers(f, piece));
      if (whole) push(whole, piece);
      else for (const c of piece) push(order.find((f) => covers(f, c)) ?? "latin", c);
    }
    i = j;
  }
  return runs;
}
