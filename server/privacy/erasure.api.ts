import { Router } from "express";
import type { ApiKeyLookup } from "../core/auth/principals.js";
import type { EventBus } from "../core/events.js";
import { requireApiKey } from "../core/http/auth-middleware.js";
import { pathId } from "../core/http/params.js";
import { sendExport } from "./privacy.routes.js";
import type { PrivacyService } from "./privacy.service.js";

/**
 * A person's rights through the JSON API (scope `users`): erasure, and everything kept about
 * them for an access request (the audit trail records who asked).
 */
export function erasureApi(deps: {
  privacy: Pick<PrivacyService, "erase" | "exportPerson">;
  events: EventBus;
  apiKeys: ApiKeyLookup;
}): Router {
  const router = Router();
  const auth = requireApiKey(deps.apiKeys, "users");
  router.delete("/users/:id", auth, async (req, res) => {
    await deps.privacy.erase(pathId(req, "id", "Person"), req.actor);
    res.status(204).end();
  });
  router.get("/users/:id/export", auth, async (req, res) => {
    await sendExport(deps, res, pathId(req, "id", "Person"), req.actor, false);
  });
  return router;
}
