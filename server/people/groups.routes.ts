import { Router } from "express";
import { ConflictError, ValidationError } from "../core/errors.js";
import { anyStaff } from "../core/http/auth-middleware.js";
import { flashFrom } from "../core/http/flash.js";
import { idParam } from "../core/http/params.js";
import type { GroupsService } from "./groups.service.js";
import { parseListQuery } from "./list-query.schema.js";
import type { UsersService } from "./users.service.js";

export function groupPages(ctx: { groups: GroupsService; users: Pick<UsersService, "list"> }): Router {
  const router = Router();
  router.use("/groups", anyStaff);

  const renderList = async (res: import("express").Response, status: number, locals: Record<string, unknown>) => {
    res.status(status).render("groups/list", {
      title: res.locals.t("titles:groups"),
      section: "/groups",
      groups: await ctx.groups.list(),
      errors: {},
      values: {},
      conflict: null,
      flash: null,
      ...locals,
    });
  };

  router.get("/groups", async (req, res) => renderList(res, 200, { flash: flashFrom(req) }));

  router.post("/groups", async (req, res) => {
    const values = { name: String(req.body?.name ?? "") };
    try {
      const group = await ctx.groups.create(req.body?.name, req.actor);
      res.redirect(303, `/groups/${group.id}?done=group-created`);
    } catch (err) {
      if (err instanceof ValidationError) return renderList(res, 400, { values, errors: err.fieldsIn(req.t) });
      if (err instanceof ConflictError) return renderList(res, 409, { values, conflict: err });
      throw err;
    }
  });

  router.get("/groups/:id", async (req, res, next) => {
    const id = idParam(req.params.id);
    if (!id) return next();
    const group = await ctx.groups.get(id);
    let query = parseListQuery({});
    try {
      query = parseListQuery({ ...req.query, group: id });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      query = parseListQuery({ group: id });
    }
    const members = await ctx.users.list(query);
    res.render("groups/show", {
      title: group.name,
      section: "/groups",
      group,
      members,
      query,
      current: { status: query.status, q: query.q },
      errors: {},
      values: { name: group.name },
      conflict: null,
      flash: flashFrom(req),
    });
  });

  router.post("/groups/:id/rename", async (req, res, next) => {
    const id = idParam(req.params.id);
    if (!id) return next();
    try {
      await ctx.groups.rename(id, req.body?.name, req.actor);
      res.redirect(303, `/groups/${id}?done=group-renamed`);
    } catch (err) {
      if (!(err instanceof ValidationError || err instanceof ConflictError)) throw err;
      const group = await ctx.groups.get(id);
      const query = parseListQuery({ group: id });
      res.status(err.status).render("groups/show", {
        title: group.name,
        section: "/groups",
        group,
        members: await ctx.users.list(query),
        query,
        current: {},
        errors: err instanceof ValidationError ? err.fieldsIn(req.t) : {},
        conflict: err instanceof ConflictError ? err : null,
        values: { name: String(req.body?.name ?? "") },
        flash: null,
      });
    }
  });

  router.post("/groups/:id/delete", async (req, res, next) => {
    const id = idParam(req.params.id);
    if (!id) return next();
    await ctx.groups.delete(id, req.actor);
    res.redirect(303, "/groups?done=group-deleted");
  });

  return router;
}
