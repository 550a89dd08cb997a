import { getCountries } from "libphonenumber-js";
import { intlLocale } from "../core/i18n/index.js";

const cache = new Map<string, Array<{ code: string; name: string }>>();

/** Every country with phone numbering, named and sorted in the reader's language. */
export function countryChoices(language: string): Array<{ code: string; name: string }> {
  let list = cache.get(language);
  if (!list) {
    const locale = intlLocale(language);
    const names = new Intl.DisplayNames([locale], { type: "region", fallback: "code" });
    const collator = new Intl.Collator(locale);
    list = getCountries()
      .map((code) => ({ code, name: names.of(code) ?? code }))
      .sort((a, b) => collator.compare(a.name, b.name));
    cache.set(language, list);
  }
  return list;
}
