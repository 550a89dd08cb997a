import { Router } from "express";
import { saySummary } from "../core/events.js";
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
      // What each line says, in the reader's language, naming the people who still exist.
      summaryOf: (e: (typeof result.items)[number]) => saySummary(req.t, e, names),
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
