import { intlLocale, translator } from "../server/core/i18n/index.js";

// Stand-ins the screen script replaces: the app's name and a person's change while it runs.
const SLOTS = { app: "{app}", name: "{name}" };

/** For each CLDR plural category of a language, a count that falls in it (0 to 200 covers them all). */
function samples(locale: string): Array<[string, number]> {
  const rules = new Intl.PluralRules(locale);
  const found = new Map<string, number>();
  for (let n = 0; n <= 200 && found.size < rules.resolvedOptions().pluralCategories.length; n++) {
    const category = rules.select(n);
    if (!found.has(category)) found.set(category, n);
  }
  return [...found];
}

/**
 * Everything the lobby screen's script writes, in the kiosk's one language: tiles and
 * welcomes included, so a Spanish kiosk is Spanish throughout. `{app}` and `{name}` are
 * filled in on the screen; "waiting" has one text per plural category with `{n}`.
 */
export function screenStrings(language: string) {
  const t = translator(language);
  const locale = intlLocale(language);
  const waiting = Object.fromEntries(
    samples(locale).map(([category, n]) => [
      category,
      t("kiosk:waiting", { n }).replace(new Intl.NumberFormat(locale).format(n), "{n}"),
    ]),
  );
  return {
    locale,
    scan: t("kiosk:scan", SLOTS),
    scanHint: t("kiosk:scanHint", SLOTS),
    welcome: t("kiosk:welcome", SLOTS),
    welcomeHint: t("kiosk:welcomeHint", SLOTS),
    nextCodeIn: t("kiosk:nextCodeIn"),
    waiting,
    idleTitle: t("kiosk:idleTitle"),
    idleBody: t("kiosk:idleBody", SLOTS),
    getTheApp: t("kiosk:getTheApp", SLOTS),
    offline: t("kiosk:offline"),
  };
}
