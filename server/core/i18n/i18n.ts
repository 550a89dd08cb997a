import i18next, { type TFunction } from "i18next";
import ICU from "i18next-icu";
import { readCatalog } from "./catalog.js";

export type { TFunction } from "i18next";

const resources = readCatalog();

/** The languages there are words for, English first: the choices in every language menu. */
export const LANGUAGES: readonly string[] = Object.keys(resources).sort((a, b) =>
  a === "en" ? -1 : b === "en" ? 1 : a.localeCompare(b),
);

// ICU MessageFormat ({name}, {n, plural, one {…} other {…}}) so that plural rules come from
// CLDR per language rather than from code. Values are inserted as plain text: EJS escapes
// them in pages, and PDFs and SMS have no markup.
const instance = i18next.createInstance();
instance.use(ICU).init({
  initAsync: false,
  resources,
  lng: "en",
  fallbackLng: "en",
  supportedLngs: [...LANGUAGES],
  ns: Object.keys(resources.en ?? {}),
  defaultNS: "common",
  returnNull: false,
  interpolation: { escapeValue: false },
});

const fixed = new Map<string, TFunction>();

/** The `t` of one language (cached): `t("common:language.label")`. */
export function translator(language: string): TFunction {
  const lng = isLanguage(language) ? language : "en";
  let t = fixed.get(lng);
  if (!t) {
    t = instance.getFixedT(lng);
    fixed.set(lng, t);
  }
  return t;
}

export function isLanguage(value: unknown): value is string {
  return typeof value === "string" && LANGUAGES.includes(value);
}

/** A stored or given tag ("es", "es-ES", "ES") as one of ours, or null. */
export function toLanguage(tag: string | null | undefined): string | null {
  if (!tag) return null;
  const lower = tag.trim().toLowerCase();
  if (LANGUAGES.includes(lower)) return lower;
  const primary = lower.split(/[-_]/)[0] ?? "";
  return LANGUAGES.includes(primary) ? primary : null;
}

/** A language's own name ("Español"), from its common.json. */
export function languageName(language: string): string {
  return translator(language)("common:languageName");
}

/** The BCP 47 locale dates and numbers are formatted in ("en-GB", "es-ES"), from common.json. */
export function intlLocale(language: string): string {
  return translator(language)("common:intlLocale");
}

/** The main language of a country (ES → es, MX → es, GB → en), when we have its words; else English. */
export function languageOfCountry(country: string): string {
  try {
    return toLanguage(new Intl.Locale(`und-${country.toUpperCase()}`).maximize().language) ?? "en";
  } catch {
    return "en";
  }
}

/**
 * The browser's preferred language we have, from an Accept-Language header such as
 * "es-ES,es;q=0.9,en;q=0.8" (highest q first, ties in the order given), or null.
 */
export function fromAcceptLanguage(header: string | undefined): string | null {
  if (!header) return null;
  const ranked = header
    .split(",")
    .slice(0, 20)
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/i.exec(p)).find(Boolean);
      return { tag: tag.trim(), q: q ? Number(q[1]) : 1, index };
    })
    .filter((c) => c.q > 0 && !Number.isNaN(c.q))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const c of ranked) {
    const found = toLanguage(c.tag);
    if (found) return found;
  }
  return null;
}

/**
 * The first of these we have words for: e.g. the person's own language, then their
 * browser's (an Accept-Language header), then the organization's. English at the end.
 */
export function pickLanguage(...candidates: Array<string | null | undefined | { acceptLanguage: string | undefined }>): string {
  for (const c of candidates) {
    const found = typeof c === "object" && c !== null ? fromAcceptLanguage(c.acceptLanguage) : toLanguage(c);
    if (found) return found;
  }
  return "en";
}
