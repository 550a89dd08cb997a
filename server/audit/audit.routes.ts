import { Router } from "express";
import { adminOnly } from "../core/http/auth-middleware.js";
import type { UsersService } from "../people/index.js";
import { auditFilters as filters } from "./audit.schema.js";
import type { AuditLog } from "./audit.service.js";

type Deps = {
  audit: AuditLog;
  /** The names of the people the lines are about, while they exist. */
  users: Pick<UsersService, "namesOf">;
};

export function auditPages(ctx: Deps): Router {
  const router = Router();
  router.get("/audit", adminOnly, async (req, res) => {
    const f = filters.parse(req.query);
    const clean = Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined && v !== "")) as typeof f;
    const pageSize = 50;
    const [result, actions, actors] = await Promise.all([
      ctx.audit.list({
        ...clean,
        from: clean.from ? Date.parse(`${clean.from}T00:00:00Z`) : undefined,
        to: clean.to ? Date.parse(`${clean.to}T00:00:00Z`) + 86_400_000 : undefined,
        page: f.page,
        pageSize,
      }),
      ctx.audit.actions(),
      ctx.audit.actors(),
    ]);
    const names = await ctx.users.namesOf(
      result.items.flatMap((e) => (e.targetType === "user" && /^\d+$/.test(e.targetId ?? "") ? [Number(e.targetId)] : [])),
    );
    res.render("audit/list", {
      names,
      personName,
      title: req.t("titles:auditLog"),
      section: "/audit",
      result,
      actions,
      actors,
      f: clean,
      page: f.page,
      pageSize,
    });
  });
  return router;
}

/**
 * The summary as stored says "person #28" (names are not kept in the log, so erasing a
 * person erases their name); shown, it names the person while they exist.
 */
function personName(summary: string, names: Map<number, string>): string {
  return summary.replace(/\b([Pp])erson #(\d+)/g, (whole, _p, id) => names.get(Number(id)) ?? whole);
}
