import { Router } from "express";
import { z } from "zod";
import { ConflictError } from "../core/errors.js";
import { anyStaff } from "../core/http/auth-middleware.js";
import { flashFrom } from "../core/http/flash.js";
import { idParam } from "../core/http/params.js";
import type { GroupsService, UsersService } from "../people/index.js";
import type { BulkInvite } from "./bulk-invite.service.js";
import { sayDeliveryError } from "./delivery-error.js";
import type { InvitationSender } from "./invitation-sender.js";
import type { Outbox } from "./outbox.service.js";
import { OUTBOX_CHANNELS, OUTBOX_STATES } from "./outbox.types.js";

const PAGE_SIZE = 50;

const filters = z.object({
  state: z.enum(OUTBOX_STATES).optional().catch(undefined),
  channel: z.enum(OUTBOX_CHANNELS).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100000).catch(1),
});

/**
 * Delivery pages for admins and the front desk: the Deliveries list (filters by state and
 * channel, errors, Resend for failed ones) and sending a person's invitation by email or
 * SMS from their profile.
 */
export function deliveryPages(deps: {
  outbox: Outbox;
  bulk: BulkInvite;
  sender: InvitationSender;
  users: Pick<UsersService, "namesOf">;
  groups: Pick<GroupsService, "get">;
}): Router {
  const router = Router();

  router.get("/deliveries", anyStaff, async (req, res) => {
    const f = filters.parse(req.query);
    const current = { state: f.state, channel: f.channel };
    const [result, bulkRuns] = await Promise.all([
      deps.outbox.list({ ...current, page: f.page, pageSize: PAGE_SIZE }),
      f.page === 1 ? deps.bulk.recent(5) : [],
    ]);
    // The group's name where it still exists (a deleted group shows by its number).
    const groupNames = new Map<number, string>();
    for (const run of bulkRuns) {
      if (!("groupId" in run.target)) continue;
      const group = await deps.groups.get(run.target.groupId).catch(() => null);
      if (group) groupNames.set(group.id, group.name);
    }
    const names = await deps.users.namesOf(result.items.flatMap((d) => (d.userId ? [d.userId] : [])));
    res.render("deliveries/list", {
      names,
      bulkRuns,
      groupNames,
      title: req.t("titles:deliveries"),
      section: "/deliveries",
      result,
      current,
      page: f.page,
      pageSize: PAGE_SIZE,
      states: OUTBOX_STATES,
      channels: OUTBOX_CHANNELS,
      flash: flashFrom(req),
      sayDeliveryError: (text: string) => sayDeliveryError(req.t, text),
    });
  });

  router.post("/deliveries/:id/resend", anyStaff, async (req, res, next) => {
    const id = idParam(req.params.id);
    if (!id) return next();
    await deps.outbox.resend(id, req.actor);
    const back =
      typeof req.body?.back === "string" && /^\/deliveries(\?[\w=&%.-]*)?$/.test(req.body.back) ? req.body.back : "/deliveries";
    res.redirect(303, `${back}${back.includes("?") ? "&" : "?"}done=resent`);
  });

  // The profile's "Send by email" / "Send SMS". The buttons show only where the channel
  // reaches the person, so a refusal (409) means the page was out of date: back to the
  // profile, which says so and shows the person as they are now. 400 for an unknown channel.
  router.post("/users/:id/invitation/send", anyStaff, async (req, res, next) => {
    const id = idParam(req.params.id);
    if (!id) return next();
    try {
      const delivery = await deps.sender.send(id, req.body?.channel, req.actor);
      res.redirect(303, `/users/${id}?done=invitation-${delivery.channel}`);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      res.redirect(303, `/users/${id}?done=invitation-send-refused`);
    }
  });

  return router;
}
