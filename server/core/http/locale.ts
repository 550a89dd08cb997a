import type { NextFunction, Request, Response } from "express";
import { fromAcceptLanguage, LANGUAGES, languageName, type TFunction, toLanguage, translator } from "../i18n/index.js";
import { viewHelpersFor } from "./view-helpers.js";

declare global {
  namespace Express {
    interface Request {
      /** The language this request's pages speak. */
      lang: string;
      t: TFunction;
    }
  }
}

const choices = () => LANGUAGES.map((code) => ({ code, name: languageName(code) }));

/**
 * Sets `lang`, `t` and the language's date and number helpers for the page. The signed-in
 * admin's own choice wins, then the organization's language; before sign-in, the browser's.
 * Employees' pages (join, kiosk) set their own language afterwards with `useLanguage`.
 */
export function pageLanguage(req: Request, res: Response, next: NextFunction) {
  // Set by the organization settings before this runs (res.locals.settings).
  const settings = res.locals.settings as { defaultLanguage?: string } | undefined;
  const lang =
    toLanguage(req.admin?.language) ??
    (req.admin ? null : fromAcceptLanguage(req.get("accept-language"))) ??
    toLanguage(settings?.defaultLanguage) ??
    "en";
  useLanguage(req, res, lang);
  res.locals.languages = choices();
  next();
}

export function useLanguage(req: Request, res: Response, lang: string) {
  req.lang = lang;
  req.t = translator(lang);
  res.locals.lang = lang;
  res.locals.t = req.t;
  Object.assign(res.locals, viewHelpersFor(lang));
}
