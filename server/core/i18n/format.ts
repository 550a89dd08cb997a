import { intlLocale } from "./i18n.js";

/**
 * Dates and numbers in a language's own conventions, through Intl (so Spanish reads
 * "jueves, 3 de diciembre", in lower case as Spanish writes it). Formatters are built once
 * per language and style: making one costs ~0.1 ms, which adds up over a table.
 */
export type Formats = {
  /** "3 Dec 2026" / "3 dic 2026", in UTC like every stored time. */
  date(iso: string | number | Date | null | undefined): string;
  /** "3 Dec 2026, 14:05 UTC": the server does not know the reader's zone. */
  dateTime(iso: string | number | Date | null | undefined): string;
  /** "3 December 2026" / "3 de diciembre de 2026", in the server's zone (TZ), as letters print. */
  longDate(date: Date): string;
  /** "Thursday 3 December" / "jueves, 3 de diciembre", in the server's zone. */
  weekdayDate(date: Date): string;
  number(n: number): string;
};

const cache = new Map<string, Formats>();

export function formats(language: string): Formats {
  let f = cache.get(language);
  if (f) return f;
  const locale = intlLocale(language);
  const short = new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  const long = new Intl.DateTimeFormat(locale, { day: "numeric", month: "long", year: "numeric" });
  const weekday = new Intl.DateTimeFormat(locale, { weekday: "long", day: "numeric", month: "long" });
  const number = new Intl.NumberFormat(locale);
  const toDate = (v: string | number | Date) => (v instanceof Date ? v : new Date(v));
  f = {
    date: (v) => (v === null || v === undefined || v === "" ? "" : short.format(toDate(v))),
    dateTime: (v) => {
      if (v === null || v === undefined || v === "") return "";
      const d = toDate(v);
      return `${short.format(d)}, ${d.toISOString().slice(11, 16)} UTC`;
    },
    longDate: (d) => long.format(d),
    weekdayDate: (d) => weekday.format(d),
    number: (n) => number.format(n),
  };
  cache.set(language, f);
  return f;
}
