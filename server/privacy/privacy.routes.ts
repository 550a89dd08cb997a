import { type Request, type Response, Router } from "express";
import { ValidationError } from "../core/errors.js";
import { type Actor, type EventBus, says } from "../core/events.js";
import { adminOnly } from "../core/http/auth-middleware.js";
import { flashFrom } from "../core/http/flash.js";
import { idParam } from "../core/http/params.js";
import type { User } from "../people/index.js";
import { zodFieldErrors } from "../people/index.js";
import type { PrivacyService } from "./privacy.service.js";
import { privacySettingsSchema } from "./privacy-settings.schema.js";
import type { PrivacySettingsService } from "./privacy-settings.service.js";

const SETTING_FIELDS = ["auditRetentionDays", "deliveryRetentionDays", "printRetentionDays", "kioskRetentionDays"] as const;

/** The export as a download, recorded in the audit trail (who handed out whose data). */
export async function sendExport(
  deps: { privacy: Pick<PrivacyService, "exportPerson">; events: EventBus },
  res: Response,
  userId: number,
  actor: Actor,
  download: boolean,
) {
  const data = await deps.privacy.exportPerson(userId);
  await deps.events.emit("user.exported", {
    actor,
    ...says("personExported", { userId }),
    target: { type: "user", id: userId },
    userId,
  });
  if (download) res.attachment(`person-${userId}.json`);
  res.type("application/json").send(JSON.stringify(data, null, 2));
}

/** Administration › Privacy (retention and address rules), and a person's export download. */
export function privacyPages(deps: {
  privacy: Pick<PrivacyService, "exportPerson">;
  privacySettings: PrivacySettingsService;
  events: EventBus;
}): Router {
  const router = Router();

  const render = async (req: Request, res: Response, status: number, locals: Record<string, unknown> = {}) => {
    res.status(status).render("privacy/settings", {
      title: "Privacy",
      section: "/admin",
      tab: "privacy",
      values: await deps.privacySettings.get(),
      errors: {},
      flash: flashFrom(req),
      ...locals,
    });
  };

  router.get("/admin/privacy", adminOnly, (req, res) => render(req, res, 200));

  router.post("/admin/privacy", adminOnly, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values: Record<string, unknown> = { allowInternalAddresses: body.allowInternalAddresses === "on" };
    for (const k of SETTING_FIELDS) values[k] = typeof body[k] === "string" ? body[k] : "";
    try {
      // The schema coerces "" to 0, which means "keep forever": an emptied field must not say that.
      const blank = SETTING_FIELDS.filter((k) => String(values[k]).trim() === "");
      if (blank.length) {
        const checked = privacySettingsSchema.safeParse(values);
        throw new ValidationError({
          ...(checked.success ? {} : zodFieldErrors(checked.error)),
          ...Object.fromEntries(blank.map((k) => [k, "Enter a number of days (0 = keep forever)"])),
        });
      }
      await deps.privacySettings.update(values, req.actor);
      res.redirect(303, "/admin/privacy?done=settings-saved");
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await render(req, res, 400, { values, errors: err.fieldsIn(req.t), flash: null });
    }
  });

  router.get("/users/:id/export.json", adminOnly, async (req, res, next) => {
    const id = idParam(req.params.id);
    if (!id) return next();
    await sendExport(deps, res, id, req.actor, true);
  });

  return router;
}

/** What a person's profile shows from here: their consent history and, for admins, the export. */
export function privacyProfileExtras(privacy: Pick<PrivacyService, "consent">) {
  return async (user: User) => ({ privacyCard: { consentHistory: await privacy.consent.of(user.id) } });
}
