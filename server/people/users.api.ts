import { Router } from "express";
import type { ApiKeyLookup } from "../core/auth/principals.js";
import { ValidationError } from "../core/errors.js";
import { requireApiKey } from "../core/http/auth-middleware.js";
import { jsonObjectBody, pathId } from "../core/http/params.js";
import { parseListQuery } from "./list-query.schema.js";
import { parseUserInput, USER_INPUT_KEYS } from "./users.schema.js";
import { inputOf, type UsersService } from "./users.service.js";
import type { OrganizationDefaults, Status, User } from "./users.types.js";

/** Keys of the user JSON that the server sets; naming them in a body says why they are refused. */
const READ_ONLY: Record<string, string> = Object.fromEntries(
  ["id", "createdAt", "updatedAt", "joinedAt", "deactivatedAt", "phoneConsentAt", "phoneConsentBy"].map((k) => [
    k,
    "is set by the server and cannot be given",
  ]),
);
const CREATE_EXPLAIN = { ...READ_ONLY, status: "cannot be given: a new person is always pending until they join" };
const PATCH_KEYS = [...USER_INPUT_KEYS, "status"];
const STATUS_MESSAGE = 'must be "deactivated" to deactivate, or "pending"/"active" to reactivate';

/** People through the JSON API: the same rules as the admin pages, one service underneath. */
export type UsersApiDeps = {
  users: UsersService;
  settings: OrganizationDefaults;
  apiKeys: ApiKeyLookup;
};

export function usersApi(ctx: UsersApiDeps): Router {
  const router = Router();
  // Per route, not router.use(): other resources under /users (e.g. invitations) have scopes of their own.
  const auth = requireApiKey(ctx.apiKeys, "users");
  const defaults = async () => {
    const s = await ctx.settings.get();
    return [s.defaultCountry, s.defaultLanguage] as const;
  };

  router.post("/users", auth, async (req, res) => {
    const body = jsonObjectBody(req, USER_INPUT_KEYS, CREATE_EXPLAIN);
    const parsed = parseUserInput(body, ...(await defaults()));
    if (!parsed.ok) throw new ValidationError(parsed.errors);
    const user = await ctx.users.create(parsed.value, req.actor);
    res.status(201).location(`${req.baseUrl}/users/${user.id}`).json(user);
  });

  router.get("/users", auth, async (req, res) => {
    const query = parseListQuery(req.query as Record<string, unknown>);
    const { items, total } = await ctx.users.list(query);
    res.json({ items, total, page: query.page, pageSize: query.pageSize });
  });

  router.get("/users/:id", auth, async (req, res) => {
    res.json(await ctx.users.get(pathId(req, "id", "Person")));
  });

  router.patch("/users/:id", auth, async (req, res) => {
    const id = pathId(req, "id", "Person");
    const body = jsonObjectBody(req, PATCH_KEYS, READ_ONLY);
    let user = await ctx.users.get(id);
    const { status, ...fields } = body;
    const target = status === undefined ? undefined : statusChange(user, status);

    if (Object.keys(fields).length) {
      const parsed = parseUserInput({ ...inputOf(user), ...fields }, ...(await defaults()));
      if (!parsed.ok) throw new ValidationError(parsed.errors);
      user = await ctx.users.update(id, parsed.value, req.actor);
    }
    if (target === "deactivated") user = await ctx.users.deactivate(id, req.actor);
    else if (target === "reactivated") user = await ctx.users.reactivate(id, req.actor);
    res.json(user);
  });

  // DELETE /users/:id (erasure) and GET /users/:id/export are privacy's (server/privacy/erasure.api.ts).
  return router;
}

/**
 * What a requested status means for this person. Only deactivating and reactivating are
 * API actions; "active" comes from joining, so asking for a status that reactivating (or
 * doing nothing) would not produce is refused rather than silently ignored.
 */
function statusChange(user: User, requested: unknown): "deactivated" | "reactivated" | "none" {
  const fail = (message: string): never => {
    throw new ValidationError({ status: message });
  };
  if (requested === "deactivated") return user.status === "deactivated" ? "none" : "deactivated";
  if (requested !== "pending" && requested !== "active") return fail(STATUS_MESSAGE);
  const wanted = requested as Status;
  const after: Status = user.status === "deactivated" ? (user.joinedAt ? "active" : "pending") : user.status;
  if (wanted !== after) {
    return fail(
      after === "pending"
        ? 'cannot be "active": this person has not joined yet, so they become "pending"'
        : 'cannot be "pending": this person has joined already, so they become "active"',
    );
  }
  return user.status === "deactivated" ? "reactivated" : "none";
}
