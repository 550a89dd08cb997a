import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js/max";

export type ParsedPhone = { e164: string; national: string };

/**
 * Normalizes what a person typed to E.164. Numbers without a country prefix are read in
 * the organization's default country. Returns null when it is not a valid number.
 */
export function parsePhone(input: string, defaultCountry: string): ParsedPhone | null {
  const trimmed = input.trim();
  if (!/^[+\d\s().\-/]+$/.test(trimmed)) return null;
  const parsed = parsePhoneNumberFromString(trimmed.replace(/^00/, "+"), defaultCountry as CountryCode);
  if (!parsed?.isValid()) return null;
  return { e164: parsed.number, national: String(parsed.nationalNumber) };
}

/** National digits of a stored E.164 number, for search terms. */
export function nationalDigits(e164: string): string | null {
  return parsePhoneNumberFromString(e164)?.nationalNumber?.toString() ?? null;
}
