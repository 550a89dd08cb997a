import { type Response, Router } from "express";
import type { Logo } from "../branding/index.js";
import { ROLES, SCOPES } from "../core/auth/principals.js";
import type { Config } from "../core/config.js";
import { AppError, ValidationError } from "../core/errors.js";
import { adminOnly } from "../core/http/auth-middleware.js";
import { flashFrom } from "../core/http/flash.js";
import { idParam } from "../core/http/params.js";
import { message } from "../core/message.js";
import { channelStatus } from "../notify/index.js";
import type { SettingsService } from "../settings/index.js";
import type { AdminsService } from "./admins.service.js";
import { DEFAULT_SCOPES } from "./apikeys.schema.js";
import type { ApiKeysService } from "./apikeys.service.js";

/** What the Settings page shows: the organization's settings, the channels (from the config) and the logo. */
export type SettingsPageDeps = {
  config: Config;
  settings: Pick<SettingsService, "get" | "update">;
  branding: { logo(): Promise<Logo | null> };
};

export type AdminPagesDeps = SettingsPageDeps & { admins: AdminsService; apiKeys: ApiKeysService };

/** Administration: accounts, API keys and organization settings (role admin only). */
export function adminPages(deps: AdminPagesDeps): Router {
  const router = Router();
  router.use("/admin", adminOnly);

  router.get("/admin", (_req, res) => res.redirect("/admin/accounts"));

  const renderAccounts = async (res: Response, status: number, locals: Record<string, unknown>) => {
    res.status(status).render("admin/accounts", {
      title: res.locals.t("titles:accounts"),
      section: "/admin",
      tab: "accounts",
      accounts: await deps.admins.list(),
      roles: ROLES,
      values: { role: "frontdesk" },
      errors: {},
      flash: null,
      ...locals,
    });
  };

  router.get("/admin/accounts", async (req, res) => renderAccounts(res, 200, { flash: flashFrom(req) }));

  router.post("/admin/accounts", async (req, res) => {
    const values = {
      email: String(req.body?.email ?? ""),
      name: String(req.body?.name ?? ""),
      role: String(req.body?.role ?? ""),
    };
    try {
      await deps.admins.create({ ...values, password: String(req.body?.password ?? "") }, req.actor);
      res.redirect(303, "/admin/accounts?done=admin-created");
    } catch (err) {
      if (err instanceof ValidationError) return renderAccounts(res, 400, { values, errors: err.fieldsIn(req.t) });
      throw err;
    }
  });

  router.post("/admin/accounts/:id", async (req, res, next) => {
    const id = idParam(req.params.id);
    if (!id) return next();
    try {
      if (req.body?.role) await deps.admins.setRole(id, req.body.role, req.actor);
      if (req.body?.disabled === "1") await deps.admins.setDisabled(id, true, req.actor);
      if (req.body?.disabled === "0") await deps.admins.setDisabled(id, false, req.actor);
      if (req.body?.password) await deps.admins.setPassword(id, String(req.body.password), req.actor);
      res.redirect(303, "/admin/accounts?done=admin-updated");
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      const message =
        err instanceof ValidationError
          ? Object.entries(err.fieldsIn(req.t))
              .map(([f, m]) => `${req.t(`common:field.${f}`, { defaultValue: f })}: ${m}`)
              .join("; ")
          : err.messageIn(req.t);
      await renderAccounts(res, err.status, { flash: { kind: "error", text: message } });
    }
  });

  const renderKeys = async (res: Response, status: number, locals: Record<string, unknown>) => {
    res.status(status).render("admin/api-keys", {
      title: res.locals.t("titles:apiKeys"),
      section: "/admin",
      tab: "keys",
      keys: await deps.apiKeys.list(),
      scopes: SCOPES,
      defaultScopes: DEFAULT_SCOPES,
      values: { scopes: DEFAULT_SCOPES },
      errors: {},
      created: null,
      flash: null,
      ...locals,
    });
  };

  router.get("/admin/api-keys", async (req, res) => renderKeys(res, 200, { flash: flashFrom(req) }));

  router.post("/admin/api-keys", async (req, res) => {
    const scopes = req.body?.scopes === undefined ? [] : Array.isArray(req.body.scopes) ? req.body.scopes : [req.body.scopes];
    const values = { name: String(req.body?.name ?? ""), scopes };
    try {
      if (!scopes.length) throw new ValidationError({ scopes: message("validation:chooseScope") });
      const created = await deps.apiKeys.create(req.body?.name, scopes, req.actor, req.admin?.id ?? null);
      // The key is shown this once; only its digest is stored.
      res.setHeader("Cache-Control", "no-store");
      await renderKeys(res, 201, { created });
    } catch (err) {
      if (err instanceof ValidationError) return renderKeys(res, 400, { values, errors: err.fieldsIn(req.t) });
      throw err;
    }
  });

  router.post("/admin/api-keys/:id/revoke", async (req, res, next) => {
    const id = idParam(req.params.id);
    if (!id) return next();
    await deps.apiKeys.revoke(id, req.actor);
    res.redirect(303, "/admin/api-keys?done=key-revoked");
  });

  router.get("/admin/settings", async (req, res) => {
    await renderSettings(deps, res, 200, { flash: flashFrom(req) });
  });

  router.post("/admin/settings", async (req, res) => {
    const values = {
      organizationName: String(req.body?.organizationName ?? ""),
      defaultCountry: String(req.body?.defaultCountry ?? ""),
      defaultLanguage: String(req.body?.defaultLanguage ?? ""),
      frontDeskContact: String(req.body?.frontDeskContact ?? ""),
      inviteTtlDays: String(req.body?.inviteTtlDays ?? ""),
      reminderDays: String(req.body?.reminderDays ?? ""),
      reminderLimit: String(req.body?.reminderLimit ?? ""),
      appName: String(req.body?.appName ?? ""),
      appStoreUrl: String(req.body?.appStoreUrl ?? ""),
      playStoreUrl: String(req.body?.playStoreUrl ?? ""),
      appScheme: String(req.body?.appScheme ?? ""),
      appJoinUrl: String(req.body?.appJoinUrl ?? ""),
      // An unticked box is not sent at all.
      joinOnWeb: req.body?.joinOnWeb === "on",
    };
    try {
      // The schema coerces "" to 0, which means "never expires": an emptied field must not say that.
      const blank = Object.fromEntries(
        (
          [
            ["inviteTtlDays", message("validation:blank.inviteTtlDays")],
            ["reminderDays", message("validation:blank.reminderDays")],
            ["reminderLimit", message("validation:blank.reminderLimit")],
          ] as const
        ).filter(([key]) => values[key].trim() === ""),
      );
      if (Object.keys(blank).length) throw new ValidationError(blank);
      // A form from before the language menu (or a script) keeps the stored language.
      const { defaultLanguage, ...rest } = values;
      await deps.settings.update(defaultLanguage ? values : rest, req.actor);
      res.redirect(303, "/admin/settings?done=settings-saved");
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await renderSettings(deps, res, 400, { values, errors: err.fieldsIn(req.t) });
    }
  });

  return router;
}

/** The Settings page; `locals` override the stored values (a form sent back with its errors). */
export async function renderSettings(deps: SettingsPageDeps, res: Response, status: number, locals: Record<string, unknown>) {
  const logo = await deps.branding.logo();
  res.status(status).render("admin/settings", {
    title: res.locals.t("titles:settings"),
    section: "/admin",
    tab: "settings",
    values: await deps.settings.get(),
    channels: channelStatus(deps.config),
    errors: {},
    flash: null,
    logo: logo && { width: logo.width, height: logo.height, bytes: logo.data.length, updatedAt: logo.updatedAt },
    ...locals,
  });
}
