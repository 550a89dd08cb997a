import { Router } from "express";
import { anyStaff } from "../core/http/auth-middleware.js";
import { toLanguage } from "../core/i18n/index.js";
import type { AdminsService } from "./admins.service.js";

/** Only same-site paths are followed back, never another host. */
const safeBack = (next: unknown): string =>
  typeof next === "string" && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/";

/** The signed-in admin's own preferences. */
export function accountRoutes(deps: { admins: Pick<AdminsService, "setLanguage"> }): Router {
  const router = Router();

  // The top bar's language menu: the admin pages in that language from now on, on every device.
  router.post("/account/language", anyStaff, async (req, res) => {
    const raw = String(req.body?.language ?? "");
    // An unknown tag goes through as given, for the service to refuse by name.
    await deps.admins.setLanguage(req.admin?.id as number, raw === "" ? null : (toLanguage(raw) ?? raw));
    res.redirect(303, safeBack(req.body?.next));
  });

  return router;
}
