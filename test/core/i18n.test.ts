import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { IntlMessageFormat } from "intl-messageformat";
import {
  flattenKeys,
  formats,
  fromAcceptLanguage,
  LANGUAGES,
  languageOfCountry,
  readCatalog,
  translator,
} from "../../server/core/i18n/index.js";
import { ROOT } from "../support/process.js";

const catalog = readCatalog();

/** Every file under `dir` whose name ends with one of `exts`. */
function filesUnder(dir: string, exts: string[]): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" || e.name === "public" ? [] : filesUnder(full, exts);
    return exts.some((x) => e.name.endsWith(x)) ? [full] : [];
  });
}

describe("translations", () => {
  it("has English and Spanish, found as folders", () => {
    assert.ok(LANGUAGES.includes("en") && LANGUAGES.includes("es"), LANGUAGES.join(","));
  });

  for (const language of Object.keys(catalog).filter((l) => l !== "en")) {
    it(`${language} has every namespace and key of en, and no others`, () => {
      const en = catalog.en ?? {};
      const other = catalog[language] ?? {};
      assert.deepEqual(Object.keys(other).sort(), Object.keys(en).sort(), "namespaces (files)");
      for (const ns of Object.keys(en)) {
        const want = flattenKeys(en[ns] ?? {}).sort();
        const have = flattenKeys(other[ns] ?? {}).sort();
        assert.deepEqual(
          { missing: want.filter((k) => !have.includes(k)), extra: have.filter((k) => !want.includes(k)) },
          { missing: [], extra: [] },
          `${language}/${ns}.json`,
        );
      }
    });
  }

  it("has only valid ICU messages, with the same placeholders in every language", () => {
    type Element = { type: number; value?: unknown; options?: Record<string, { value: Element[] }>; children?: Element[] };
    // Argument names from the parsed message: literals (0) and "#" (7) have none.
    const names = (elements: Element[]): string[] =>
      elements.flatMap((e) => [
        ...(e.type !== 0 && e.type !== 7 && typeof e.value === "string" ? [e.value] : []),
        ...Object.values(e.options ?? {}).flatMap((o) => names(o.value)),
        ...names(e.children ?? []),
      ]);
    const placeholders = (message: string, language: string) =>
      [...new Set(names(new IntlMessageFormat(message, language).getAst() as Element[]))].sort();
    for (const [language, namespaces] of Object.entries(catalog)) {
      for (const [ns, tree] of Object.entries(namespaces)) {
        for (const key of flattenKeys(tree)) {
          const message = key.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], tree);
          assert.equal(typeof message, "string", `${language}/${ns}:${key}`);
          assert.doesNotThrow(
            () => new IntlMessageFormat(message as string, language),
            `${language}/${ns}:${key} is not valid ICU`,
          );
          if (language !== "en") {
            const en = key.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], catalog.en?.[ns]);
            assert.deepEqual(
              placeholders(message as string, language),
              placeholders(en as string, "en"),
              `${language}/${ns}:${key}`,
            );
          }
        }
      }
    }
  });

  it("has every key that the pages and the code ask for", () => {
    const files = [
      ...filesUnder(path.join(ROOT, "views"), [".ejs"]),
      ...["server", "kiosk", "print"].flatMap((d) => filesUnder(path.join(ROOT, d), [".ts"])),
    ];
    const missing: string[] = [];
    let seen = 0;
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      // Literal keys only ("ns:a.b"), asked with t(), or carried by errors as message(key, values);
      // keys built at run time are checked by the tests of their pages.
      for (const m of text.matchAll(/\b(?:t|message|msg)\(\s*["'`]([a-zA-Z]+):([\w.-]*\w)["'`]/g)) {
        seen++;
        const [, ns = "", key = ""] = m;
        const found = key.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], catalog.en?.[ns]);
        if (typeof found !== "string") missing.push(`${path.relative(ROOT, file)}: ${ns}:${key}`);
      }
    }
    assert.ok(seen > 50, `found only ${seen} t() calls`);
    assert.deepEqual(missing, []);
  });

  it("speaks each language with CLDR plurals and Intl dates in their own case", () => {
    const es = translator("es");
    assert.equal(es("common:language.label"), "Idioma");
    // "jueves, 3 de diciembre": Spanish writes weekdays and months in lower case.
    assert.equal(formats("es").weekdayDate(new Date(2026, 11, 3, 12)), "jueves, 3 de diciembre");
    assert.equal(formats("en").weekdayDate(new Date(2026, 11, 3, 12)), "Thursday 3 December");
    assert.equal(formats("es").longDate(new Date(2026, 11, 3, 12)), "3 de diciembre de 2026");
    assert.equal(formats("es").number(12345), "12.345");
    assert.equal(formats("en").number(12345), "12,345");
  });

  it("finds a language from a country and from a browser", () => {
    assert.equal(languageOfCountry("ES"), "es");
    assert.equal(languageOfCountry("MX"), "es");
    assert.equal(languageOfCountry("GB"), "en");
    assert.equal(languageOfCountry("JP"), "en", "no Japanese words: English");
    assert.equal(fromAcceptLanguage("fr-FR,fr;q=0.9,es;q=0.8,en;q=0.7"), "es");
    assert.equal(fromAcceptLanguage("de"), null);
  });
});
