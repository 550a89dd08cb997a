import { type Request, type Response, Router } from "express";
import { ValidationError } from "../core/errors.js";
import { adminOnly } from "../core/http/auth-middleware.js";
import { languageOfCountry } from "../core/i18n/index.js";
import { countryChoices } from "./countries.js";
import type { SettingsService } from "./settings.service.js";

const FIELDS = [
  "organizationName",
  "appName",
  "appStoreUrl",
  "playStoreUrl",
  "defaultCountry",
  "defaultLanguage",
  "frontDeskContact",
] as const;

/**
 * The organization set-up an admin is taken to on first sign-in: the names invitations
 * carry, the store links, the country (paper size, phone region, default language), the
 * front desk and the logo. Until the names are saved nothing is sent, printed or displayed.
 */
export function orgSetupPages(deps: { settings: SettingsService }): Router {
  const router = Router();

  const render = async (req: Request, res: Response, status: number, values: Record<string, string>, errors = {}) => {
    res.status(status).render("admin/setup", {
      title: req.t("setup:title"),
      section: "/admin",
      onSetupPage: true,
      values,
      errors,
      countries: countryChoices(req.lang),
      // The logo is branding's: its page local (set for every page) says whether there is one.
      hasLogo: Boolean(res.locals.logoUrl),
    });
  };

  router.get("/admin/setup", adminOnly, async (req, res) => {
    const s = await deps.settings.get();
    // The language follows the country until someone picks one that differs from it.
    const followsCountry = s.defaultLanguage === languageOfCountry(s.defaultCountry);
    await render(req, res, 200, {
      organizationName: s.organizationName,
      appName: s.appName,
      appStoreUrl: s.appStoreUrl,
      playStoreUrl: s.playStoreUrl,
      defaultCountry: s.defaultCountry,
      defaultLanguage: followsCountry ? "" : s.defaultLanguage,
      frontDeskContact: s.frontDeskContact,
    });
  });

  router.post("/admin/setup", adminOnly, async (req, res) => {
    const values = Object.fromEntries(FIELDS.map((f) => [f, String(req.body?.[f] ?? "").slice(0, 400)])) as Record<
      (typeof FIELDS)[number],
      string
    >;
    try {
      const country = values.defaultCountry.trim().toUpperCase();
      await deps.settings.update({ ...values, defaultLanguage: values.defaultLanguage || languageOfCountry(country) }, req.actor);
      res.redirect(303, "/dashboard?done=setup-saved");
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      // The field's own sentence in the admin's language, for every field the service refused.
      const errors = Object.fromEntries(
        Object.keys(err.fields).map((f) => [f, req.t(`setup:invalid.${f}`, { defaultValue: err.fields[f] })]),
      );
      await render(req, res, 400, values, errors);
    }
  });

  return router;
}
