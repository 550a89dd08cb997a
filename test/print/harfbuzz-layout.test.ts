import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import * as fontkit from "fontkit";
import { fontBytes, parsedFont } from "../../print/letter/fonts.js";

type Shaped = {
  glyphs: Array<{ id: number; codePoints: number[] }>;
  positions: Array<{ xAdvance: number; xOffset: number; yOffset: number }>;
};
const summary = (run: Shaped) =>
  run.glyphs.map((g, i) => [g.id, run.positions[i]?.xAdvance, run.positions[i]?.xOffset, run.positions[i]?.yOffset]);

/** Every word of the letter in each language, as pdfkit hands them to the font (a trailing space kept). */
function letterWords(): string[] {
  const words = new Set<string>();
  const collect = (v: unknown): void => {
    if (typeof v === "string") for (const w of v.replace(/\{[^}]*\}/g, "Northwind").split(/(?<= )/)) words.add(w);
    else if (v && typeof v === "object") Object.values(v).forEach(collect);
  };
  for (const language of ["en", "es"]) collect(JSON.parse(readFileSync(`locales/${language}/letter.json`, "utf8")));
  return [...words];
}

const NAMES = [
  "Lucía ",
  "Íñigo ",
  "Núñez",
  "García!",
  "Zoë ",
  "Çağla ",
  "Öztürk",
  "Ελένη ",
  "Παπαδοπούλου",
  "Дмитрий ",
  "Иванов",
  "K7QF-2M9X",
  "#1234 ",
];

describe("the letter's shaping (HarfBuzz)", () => {
  for (const weight of ["regular", "bold"] as const) {
    it(`places the letter's words and names exactly as fontkit's own shaper did (Noto Sans ${weight})`, () => {
      const font = parsedFont("latin", weight) as unknown as { layout(text: string): Shaped };
      const reference = fontkit.create(fontBytes("latin", weight)) as unknown as { layout(text: string): Shaped };
      const words = [...letterWords(), ...NAMES];
      assert.ok(words.length > 150, `the wording was read (${words.length} words)`);
      const differ = words.filter(
        (w) => JSON.stringify(summary(font.layout(w))) !== JSON.stringify(summary(reference.layout(w))),
      );
      assert.deepEqual(differ, []);
    });
  }

  it("keeps a ligature's letters, so that a code or a name can be copied and searched", () => {
    const run = (parsedFont("latin", "regular") as unknown as { layout(text: string): Shaped }).layout("office");
    assert.ok(run.glyphs.length < 6, "f and i are one glyph");
    assert.equal(String.fromCodePoint(...run.glyphs.flatMap((g) => g.codePoints)), "office");
  });

  it("composes a letter typed with a combining accent into the accented letter", () => {
    const font = parsedFont("latin", "regular") as unknown as { layout(text: string): Shaped };
    assert.deepEqual(summary(font.layout("Jose\u0301")), summary(font.layout("José")));
  });

  it("says which characters each font draws", () => {
    assert.equal(parsedFont("latin", "regular").hasGlyphForCodePoint(0xf1), true, "ñ in Noto Sans");
    assert.equal(parsedFont("latin", "regular").hasGlyphForCodePoint(0x9ad9), false, "髙 is not");
    assert.equal(parsedFont("jp", "regular").hasGlyphForCodePoint(0x9ad9), true, "髙 in Noto Sans JP");
    assert.equal(parsedFont("kr", "regular").hasGlyphForCodePoint(0xae40), true, "김 in Noto Sans KR");
  });
});
