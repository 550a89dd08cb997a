import { Router } from "express";
import { z } from "zod";
import { ValidationError } from "../core/errors.js";
import { requireApiKey } from "../core/http/auth-middleware.js";
import { jsonObjectBody, pathId } from "../core/http/params.js";
import type { Context } from "../station.js";

export const MAX_BULK_MEMBERS = 5000;

/** The body's `userIds` of POST /groups/:id/members (also what the API description shows). */
export const userIdsSchema = z
  .array(
    z
      .number({ invalid_type_error: "must contain person ids (whole numbers)" })
      .int("must contain whole numbers")
      .positive("must contain positive ids"),
    {
      required_error: "is required: a list of person ids",
      invalid_type_error: "must be a list of person ids",
    },
  )
  .max(MAX_BULK_MEMBERS, `at most ${MAX_BULK_MEMBERS} people at once`);

/** Groups and their memberships through the JSON API. */
export function groupsApi(ctx: Context): Router {
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
