import { Router } from "express";
import type { ApiKeyLookup } from "../core/auth/principals.js";
import { ValidationError } from "../core/errors.js";
import { requireApiKey } from "../core/http/auth-middleware.js";
import { jsonObjectBody, pathId } from "../core/http/params.js";
import { userIdsSchema } from "./groups.schema.js";
import type { GroupsService } from "./groups.service.js";
import type { UsersService } from "./users.service.js";

/** Groups and their memberships through the JSON API. */
export function groupsApi(ctx: { groups: GroupsService; users: Pick<UsersService, "get">; apiKeys: ApiKeyLookup }): Router {
  const router = Router();
  // Per route, not router.use(): other resources under /groups (e.g. invitation PDFs) have scopes of their own.
  const auth = requireApiKey(ctx.apiKeys, "groups");

  router.post("/groups", auth, async (req, res) => {
    const body = jsonObjectBody(req, ["name"]);
    const group = await ctx.groups.create(body.name, req.actor);
    res.status(201).location(`${req.baseUrl}/groups/${group.id}`).json(group);
  });

  router.get("/groups", auth, async (_req, res) => {
    const items = await ctx.groups.list();
    res.json({ items, total: items.length });
  });

  router.get("/groups/:id", auth, async (req, res) => {
    const id = pathId(req, "id", "Group");
    const group = await ctx.groups.get(id);
    res.json({ ...group, members: await ctx.groups.members(id) });
  });

  router.patch("/groups/:id", auth, async (req, res) => {
    const id = pathId(req, "id", "Group");
    const body = jsonObjectBody(req, ["name"]);
    res.json(await ctx.groups.rename(id, body.name, req.actor));
  });

  router.delete("/groups/:id", auth, async (req, res) => {
    await ctx.groups.delete(pathId(req, "id", "Group"), req.actor);
    res.status(204).end();
  });

  router.post("/groups/:id/members", auth, async (req, res) => {
    const id = pathId(req, "id", "Group");
    const body = jsonObjectBody(req, ["userIds"]);
    const parsed = userIdsSchema.safeParse(body.userIds);
    if (!parsed.success) throw new ValidationError({ userIds: parsed.error.issues[0]?.message ?? "is invalid" });
    res.json({ added: await ctx.groups.addMembers(id, parsed.data, req.actor) });
  });

  // A path names one person: one that does not exist is a 404, as for any other path.
  router.put("/groups/:id/members/:userId", auth, async (req, res) => {
    const id = pathId(req, "id", "Group");
    const userId = pathId(req, "userId", "Person");
    await ctx.groups.get(id);
    await ctx.users.get(userId);
    await ctx.groups.addMembers(id, [userId], req.actor);
    res.status(204).end();
  });

  router.delete("/groups/:id/members/:userId", auth, async (req, res) => {
    const id = pathId(req, "id", "Group");
    const userId = pathId(req, "userId", "Person");
    await ctx.groups.get(id);
    await ctx.users.get(userId);
    await ctx.groups.removeMembers(id, [userId], req.actor);
    res.status(204).end();
  });

  return router;
}
