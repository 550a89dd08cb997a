import cronstrueModule from "cronstrue/i18n.js";

type Describe = (cron: string, options: { locale: string; use24HourTimeFormat: boolean; verbose: boolean }) => string;
// The package's own typing of the default export loses `toString` (an UMD bundle); this is its documented call.
const cronstrue = cronstrueModule as unknown as { toString: Describe };

/**
 * A cron schedule as an admin reads it ("At 02:00, every day" / "A las 02:00, todos los
 * días"), in the admin's language; the expression itself when it cannot be described.
 */
export function scheduleInWords(cron: string, lang = "en"): string {
  try {
    return cronstrue.toString(cron, { locale: lang, use24HourTimeFormat: true, verbose: true });
  } catch {
    return cron;
  }
}
