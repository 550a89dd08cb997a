import type { Language } from "./user.schema.js";

// Countries whose people are best addressed in Spanish by default; everyone else English.
const SPANISH = new Set("ES MX AR CO CL PE VE EC GT CU BO DO HN PY SV NI CR PA UY PR GQ AD".split(" "));

/** The language of people registered without one: the organization's country's. */
export function languageForCountry(country: string): Language {
  return SPANISH.has(country.toUpperCase()) ? "es" : "en";
}
