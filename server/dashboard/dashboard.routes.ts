import { Router } from "express";
import type { Config } from "../core/config.js";
import { anyStaff } from "../core/http/auth-middleware.js";
import { flashFrom } from "../core/http/flash.js";
import { channelStatus } from "../notify/index.js";
import type { DashboardService } from "./dashboard.service.js";
import { joinsChart } from "./joins-chart.js";

/** The admins' home page: where things stand, at a glance. */
export function dashboardPages(ctx: { dashboard: DashboardService; config: Config }): Router {
  const router = Router();
  router.get("/dashboard", anyStaff, async (req, res) => {
    const summary = await ctx.dashboard.summary();
    res.render("dashboard/index", {
      title: req.t("dashboard:title"),
      section: "/dashboard",
      flash: flashFrom(req),
      summary,
      chart: joinsChart(summary.joinsByDay, req.lang),
      channels: channelStatus(ctx.config),
    });
  });
  return router;
}
