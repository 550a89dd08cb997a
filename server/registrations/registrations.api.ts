import { Router } from "express";
import type { ApiKeyLookup } from "../core/auth/principals.js";
import { requireApiKey } from "../core/http/auth-middleware.js";
import { jsonObjectBody } from "../core/http/params.js";
import type { PhoneMatchService } from "./phone-match.service.js";

/**
 * Registrations (scope `registrations`): the messaging platform, after it verified a
 * person's number, asks for the pending person with that number to be joined.
 * `POST /registrations/phone {phone}` → 200 with the joined user, 404 for no match, 409
 * when several people match (nobody is joined; the admins are alerted).
 */
export function registrationsApi(deps: { apiKeys: ApiKeyLookup; matching: Pick<PhoneMatchService, "joinByPhone"> }): Router {
  const router = Router();
  const auth = requireApiKey(deps.apiKeys, "registrations");
  const { matching } = deps;

  router.post("/registrations/phone", auth, async (req, res) => {
    const body = jsonObjectBody(req, ["phone"]);
    res.json(await matching.joinByPhone(body.phone, req.actor));
  });

  return router;
}
