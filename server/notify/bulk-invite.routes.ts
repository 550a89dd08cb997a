import { Router } from "express";
import { ValidationError } from "../core/errors.js";
import { anyStaff } from "../core/http/auth-middleware.js";
import { idList, idParam } from "../core/http/params.js";
import type { GroupsService } from "../people/index.js";
import { type BulkInvite, type BulkTarget, MAX_SELECTION } from "./bulk-invite.service.js";

/** The target of a preview (query) or a send (form body): `ids`, `group` or `all=1`. */
function targetOf(input: Record<string, unknown> | undefined): BulkTarget {
  const ids = idList(input?.ids);
  if (ids.length) {
    if (ids.length > MAX_SELECTION) {
      throw new ValidationError({ ids: `at most ${MAX_SELECTION} people at once: invite a group or everyone instead` });
    }
    return { ids };
  }
  const group = idParam(input?.group);
  if (group) return { groupId: group };
  if (input?.all === "1") return { all: true };
  throw new ValidationError({ ids: "choose people, a group or everyone to invite" });
}

/**
 * "Invite all pending": GET /invite shows how many of the chosen people go by SMS, by
 * email and how many have neither (to be printed); POST /invite queues them in the
 * background and sends the admin to the Deliveries page.
 */
export function bulkInvitePages(deps: { bulk: BulkInvite; groups: Pick<GroupsService, "get"> }): Router {
  const router = Router();
  const { bulk, groups } = deps;

  router.get("/invite", anyStaff, async (req, res) => {
    const target = targetOf(req.query as Record<string, unknown>);
    const group = "groupId" in target ? await groups.get(target.groupId) : null;
    const plan = await bulk.preview(target);
    const audience =
      "ids" in target
        ? `${target.ids.length} selected ${target.ids.length === 1 ? "person" : "people"}`
        : group
          ? `the pending members of ${group.name}`
          : "everyone who has not joined yet";
    res.render("invite/preview", {
      title: req.t("titles:invitePendingPeople"),
      section: "/users",
      target,
      group,
      audience,
      plan,
      back: group ? `/groups/${group.id}` : "/users",
    });
  });

  router.post("/invite", anyStaff, async (req, res) => {
    const target = targetOf(req.body as Record<string, unknown>);
    if ("groupId" in target) await groups.get(target.groupId);
    await bulk.start(target, req.actor);
    res.redirect(303, "/deliveries?done=bulk-invite");
  });

  return router;
}
