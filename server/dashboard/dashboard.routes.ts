import { Router } from "express";
import { anyStaff } from "../core/http/auth-middleware.js";
import { flashFrom } from "../core/http/flash.js";
import { channelStatus } from "../notify/index.js";
import type { Context } from "../station.js";
import { DashboardService } from "./dashboard.service.js";
import { joinsChart } from "./joins-chart.js";

/** The admins' home page: where things stand, at a glance. */
export function dashboardPages(ctx: Context, service = new DashboardService(ctx.db)): Router {
  const router = Router();
  router.get("/dashboard", anyStaff, async (req, res) => {
    const summary = await service.summary();
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
