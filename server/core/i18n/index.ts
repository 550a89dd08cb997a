export { flattenKeys, LOCALES_DIR, readCatalog } from "./catalog.js";
export { type Formats, formats } from "./format.js";
export {
  fromAcceptLanguage,
  intlLocale,
  isLanguage,
  LANGUAGES,
  languageName,
  languageOfCountry,
  pickLanguage,
  type TFunction,
  toLanguage,
  translator,
} from "./i18n.js";
