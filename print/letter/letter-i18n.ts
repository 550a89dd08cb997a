import { intlLocale, toLanguage, translator } from "../../server/core/i18n/index.js";

/**
 * The words of the printed invitation letter, as the page draws them. Values are plain
 * text: the PDF has no markup to escape.
 */
export type LetterStrings = {
  /** BCP 47 tag for dates and the PDF's /Lang. */
  locale: string;
  documentTitle: (org: string) => string;
  documentTitleMany: (org: string) => string;
  eyebrow: (org: string) => string;
  welcome: (fullName: string) => string;
  intro: (org: string, app: string) => string;
  why: [string, string][];
  stepsTitle: string;
  installTitle: (app: string) => string;
  installBody: (app: string) => string;
  installNoStores: (app: string) => string;
  scanTitle: string;
  scanBody: string;
  doneTitle: string;
  doneBody: (app: string) => string;
  appStore: string;
  playStore: string;
  qrCaption: string;
  typeCode: (app: string) => string;
  validUntil: (date: string) => string;
  noExpiry: string;
  personalTitle: string;
  personalBody: string;
  helpTitle: string;
  helpAt: (contact: string) => string;
  helpNoContact: string;
};

const cache = new Map<string, LetterStrings>();

/**
 * The letter's words in a language, from locales/<language>/letter.json. Made once per
 * language: the page lays its fixed parts out once per locale and calls these per letter.
 */
export function letterStrings(language: string): LetterStrings {
  const lng = toLanguage(language) ?? "en";
  let s = cache.get(lng);
  if (s) return s;
  const t = translator(lng);
  s = {
    locale: intlLocale(lng),
    documentTitle: (org) => t("letter:documentTitle", { org }),
    documentTitleMany: (org) => t("letter:documentTitleMany", { org }),
    eyebrow: (org) => t("letter:eyebrow", { org }),
    welcome: (fullName) => t("letter:welcome", { fullName }),
    intro: (org, app) => t("letter:intro", { org, app }),
    why: (["news", "team", "phone"] as const).map((k) => [t(`letter:why.${k}.title`), t(`letter:why.${k}.body`)]),
    stepsTitle: t("letter:stepsTitle"),
    installTitle: (app) => t("letter:installTitle", { app }),
    installBody: (app) => t("letter:installBody", { app }),
    installNoStores: (app) => t("letter:installNoStores", { app }),
    scanTitle: t("letter:scanTitle"),
    scanBody: t("letter:scanBody"),
    doneTitle: t("letter:doneTitle"),
    doneBody: (app) => t("letter:doneBody", { app }),
    appStore: t("letter:appStore"),
    playStore: t("letter:playStore"),
    qrCaption: t("letter:qrCaption"),
    typeCode: (app) => t("letter:typeCode", { app }),
    validUntil: (date) => t("letter:validUntil", { date }),
    noExpiry: t("letter:noExpiry"),
    personalTitle: t("letter:personalTitle"),
    personalBody: t("letter:personalBody"),
    helpTitle: t("letter:helpTitle"),
    helpAt: (contact) => t("letter:helpAt", { contact }),
    helpNoContact: t("letter:helpNoContact"),
  };
  cache.set(lng, s);
  return s;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Dates already formatted, by locale and local day: formatting costs more than a letter's text. */
const formatted = new Map<string, string>();

/** "12 April 2026" / "12 de abril de 2026", in the server's time zone (TZ), as the batch runs. */
export function formatLetterDate(strings: LetterStrings, date: Date): string {
  // The formatter uses the default time zone, as the local getters do: same day, same words.
  const key = `${strings.locale}:${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
  let text = formatted.get(key);
  if (text !== undefined) return text;
  let f = formatters.get(strings.locale);
  if (!f) {
    f = new Intl.DateTimeFormat(strings.locale, { day: "numeric", month: "long", year: "numeric" });
    formatters.set(strings.locale, f);
  }
  text = f.format(date);
  if (formatted.size >= 1000) formatted.clear();
  formatted.set(key, text);
  return text;
}
