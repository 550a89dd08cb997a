import { Router } from "express";
import type { Context } from "../context.js";
import { anyStaff } from "../http/auth-middleware.js";
import { channelStatus } from "../notify/channels.js";
import { DashboardService } from "./dashboard.service.js";
import { joinsChart } from "./joins-chart.js";

const CHANNEL_LABELS: Record<string, string> = {
  link: "Personal link",
  qr: "QR code",
  code: "Typed code",
  kiosk: "Lobby kiosk",
  phone: "Phone match",
  app: "In the app",
  unknown: "Not recorded",
};

/** The admins' home page: where things stand, at a glance. */
export function dashboardPages(ctx: Context, service = new DashboardService(ctx.db)): Router {
  const router = Router();
  router.get("/dashboard", anyStaff, async (_req, res) => {
    const summary = await service.summary();
    res.render("dashboard/index", {
      title: "Dashboard",
      section: "/dashboard",
      summary,
      chart: joinsChart(summary.joinsByDay),
      channelLabels: CHANNEL_LABELS,
      channels: channelStatus(ctx.config),
    });
  });
  return router;
}
