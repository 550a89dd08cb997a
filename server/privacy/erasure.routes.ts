import { Router } from "express";
import { anyStaff } from "../core/http/auth-middleware.js";
import { idParam } from "../core/http/params.js";
import type { PrivacyService } from "./privacy.service.js";

/** "Erase" on a person's profile page: the person and what every feature keeps about them. */
export function erasurePages(deps: { privacy: Pick<PrivacyService, "erase"> }): Router {
  const router = Router();
  router.post("/users/:id/erase", anyStaff, async (req, res, next) => {
    const id = idParam(req.params.id);
    if (!id) return next();
    await deps.privacy.erase(id, req.actor);
    res.redirect(303, "/users?done=erased");
  });
  return router;
}
