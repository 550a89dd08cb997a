import { type Request, type Response, Router } from "express";
import { ConflictError, ValidationError } from "../core/errors.js";
import { anyStaff } from "../core/http/auth-middleware.js";
import { flashFrom } from "../core/http/flash.js";
import { idList, idParam } from "../core/http/params.js";
import type { TFunction } from "../core/i18n/index.js";
import { message, sayAll } from "../core/message.js";
import type { Facets } from "./facets.js";
import type { GroupsService } from "./groups.service.js";
import { parseListQuery } from "./list-query.schema.js";
import { LANGUAGE_NAMES, LANGUAGES, parseUserInput } from "./users.schema.js";
import { inputOf, type UsersService } from "./users.service.js";
import type { OrganizationDefaults, User } from "./users.types.js";

/** Form values as typed, to show them again next to the errors. */
function formValues(body: Record<string, unknown>): Record<string, unknown> {
  const groups = body.groups === undefined ? [] : Array.isArray(body.groups) ? body.groups : [body.groups];
  return { ...body, groups: groups.map(String), phoneConsent: body.phoneConsent === "on" };
}

/**
 * What other features add to a person's profile page (the invitation card, …): people does
 * not depend on them, so the composition root adds theirs to the list it passes in.
 */
export type ProfileExtras = (user: User, t: TFunction) => Promise<Record<string, unknown>>;

export type UserPagesDeps = {
  users: UsersService;
  groups: GroupsService;
  facets: Facets;
  settings: OrganizationDefaults;
};

export function userPages(ctx: UserPagesDeps, sections: ProfileExtras[] = []): Router {
  const profileExtras = async (user: User, t: TFunction) =>
    Object.assign({}, ...(await Promise.all(sections.map((s) => s(user, t)))));
  const router = Router();
  router.use("/users", anyStaff);

  const renderForm = async (res: Response, status: number, locals: Record<string, unknown>) => {
    res.status(status).render("users/form", {
      section: "/users",
      groups: await ctx.groups.names(),
      languages: LANGUAGES.map((code) => ({ code, name: LANGUAGE_NAMES[code] })),
      errors: {},
      conflict: null,
      ...locals,
    });
  };

  router.get("/users", async (req, res) => {
    let query: ReturnType<typeof parseListQuery>;
    let queryError: string | null = null;
    try {
      query = parseListQuery(req.query as Record<string, unknown>);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      queryError = Object.entries(err.fieldsIn(req.t))
        .map(([f, m]) => `${f} ${m}`)
        .join("; ");
      query = parseListQuery({});
    }
    const [result, groups, departments, sites] = await Promise.all([
      ctx.users.list(query),
      ctx.groups.names(),
      ctx.facets.values("department"),
      ctx.facets.values("site"),
    ]);
    const current = {
      q: query.q,
      status: query.status,
      group: query.groupId,
      department: query.department,
      site: query.site,
      sort: query.sort === "name" ? undefined : query.sort,
      dir: query.dir === "asc" ? undefined : query.dir,
      pageSize: query.pageSize === 50 ? undefined : query.pageSize,
    };
    res.render("users/list", {
      title: req.t("titles:people"),
      section: "/users",
      result,
      query,
      current,
      groups,
      departments,
      sites,
      queryError,
      flash: flashFrom(req),
      exportUrl: `/users/export.csv${req.originalUrl.includes("?") ? req.originalUrl.slice(req.originalUrl.indexOf("?")) : ""}`,
    });
  });

  router.get("/users/new", async (req, res) => {
    const preset = idParam(req.query.group);
    await renderForm(res, 200, {
      title: req.t("titles:registerAPerson"),
      user: null,
      // The organization's language, until the admin picks the person's own.
      values: { language: (await ctx.settings.get()).defaultLanguage, groups: preset ? [String(preset)] : [] },
    });
  });

  router.post("/users", async (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = formValues(body);
    const settings = await ctx.settings.get();
    const parsed = parseUserInput({ ...body, groups: values.groups }, settings.defaultCountry, settings.defaultLanguage);
    if (!parsed.ok)
      return renderForm(res, 400, {
        title: req.t("titles:registerAPerson"),
        user: null,
        values,
        errors: sayAll(req.t, parsed.messages),
      });
    try {
      const user = await ctx.users.create(parsed.value, req.actor);
      res.redirect(303, `/users/${user.id}?done=created`);
    } catch (err) {
      if (err instanceof ValidationError)
        return renderForm(res, 400, { title: req.t("titles:registerAPerson"), user: null, values, errors: err.fieldsIn(req.t) });
      if (err instanceof ConflictError)
        return renderForm(res, 409, { title: req.t("titles:registerAPerson"), user: null, values, conflict: err });
      throw err;
    }
  });

  router.post("/users/bulk", async (req, res) => {
    const ids = idList(req.body?.ids);
    const groupId = idParam(req.body?.groupId);
    const back =
      typeof req.body?.back === "string" && /^\/(users|groups\/\d+)(\?|$)/.test(req.body.back) ? req.body.back : "/users";
    const sep = back.includes("?") ? "&" : "?";
    if (!ids.length) return res.redirect(303, `${back}${sep}done=nothing-selected`);
    if (!groupId) throw new ValidationError({ groupId: message("validation:chooseGroup") });
    if (req.body?.action === "remove") {
      await ctx.groups.removeMembers(groupId, ids, req.actor);
      return res.redirect(303, `${back}${sep}done=members-removed`);
    }
    await ctx.groups.addMembers(groupId, ids, req.actor);
    res.redirect(303, `${back}${sep}done=members-added`);
  });

  router.get("/users/:id", async (req, res, next) => {
    const id = idParam(req.params.id);
    if (!id) return next();
    const user = await ctx.users.get(id);
    // The audit log's section brings the person's history.
    const extras = await profileExtras(user, req.t);
    res.render("users/profile", {
      ...extras,
      title: `${user.firstName} ${user.lastName}`,
      section: "/users",
      user,
      flash: flashFrom(req),
    });
  });

  router.get("/users/:id/edit", async (req, res, next) => {
    const id = idParam(req.params.id);
    if (!id) return next();
    const user = await ctx.users.get(id);
    await renderForm(res, 200, {
      title: req.t("titles:editPerson", { name: `${user.firstName} ${user.lastName}` }),
      user,
      values: { ...inputOf(user), groups: user.groups.map((g) => String(g.id)) },
    });
  });

  router.post("/users/:id", async (req, res, next) => {
    const id = idParam(req.params.id);
    if (!id) return next();
    const user = await ctx.users.get(id);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = formValues(body);
    const title = req.t("titles:editPerson", { name: `${user.firstName} ${user.lastName}` });
    const settings = await ctx.settings.get();
    const parsed = parseUserInput({ ...body, groups: values.groups }, settings.defaultCountry, settings.defaultLanguage);
    if (!parsed.ok) return renderForm(res, 400, { title, user, values, errors: sayAll(req.t, parsed.messages) });
    try {
      await ctx.users.update(id, parsed.value, req.actor);
      res.redirect(303, `/users/${id}?done=updated`);
    } catch (err) {
      if (err instanceof ValidationError) return renderForm(res, 400, { title, user, values, errors: err.fieldsIn(req.t) });
      if (err instanceof ConflictError) return renderForm(res, 409, { title, user, values, conflict: err });
      throw err;
    }
  });

  // "Erase" is privacy's (server/privacy/erasure.routes.ts).
  for (const action of ["deactivate", "reactivate"] as const) {
    router.post(`/users/:id/${action}`, async (req, res, next) => {
      const id = idParam(req.params.id);
      if (!id) return next();
      await ctx.users[action](id, req.actor);
      res.redirect(303, `/users/${id}?done=${action}d`);
    });
  }

  return router;
}
