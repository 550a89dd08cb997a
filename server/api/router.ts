import { Router } from "express";
import { lettersApi } from "../../print/letter/letters.api.js";
import { printersApi } from "../../print/printers/printers.api.js";
import { printJobsApi } from "../../print/queue/print-jobs.api.js";
import type { Context } from "../context.js";
import { groupsApi } from "./groups.api.js";
import { invitationSendApi } from "./invitation-send.api.js";
import { invitationRedeemApi, invitationsApi } from "./invitations.api.js";
import { kiosksApi } from "./kiosks.api.js";
import { openApiRoute } from "./openapi.api.js";
import { registrationsApi } from "./registrations.api.js";
import { usersApi } from "./users.api.js";

/**
 * The JSON API under /api/v1: one router per resource, each checking its own key scope per
 * route. A path no resource answers falls through to the app's notFound (problem+json).
 */
export function apiRouter(ctx: Context): Router {
  const router = Router();
  // The busiest route, and public: matched before the others are tried.
  router.use(invitationRedeemApi(ctx));
  router.use(usersApi(ctx));
  router.use(groupsApi(ctx));
  router.use(invitationsApi(ctx));
  router.use(invitationSendApi(ctx));
  router.use(lettersApi(ctx));
  router.use(registrationsApi(ctx));
  router.use(kiosksApi(ctx));
  router.use(printersApi(ctx));
  router.use(printJobsApi(ctx));
  router.use(openApiRoute());
  return router;
}
