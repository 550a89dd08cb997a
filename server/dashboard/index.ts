import type { Knex } from "knex";
import type { Config } from "../core/config.js";
import type { Feature } from "../core/feature.js";
import { dashboardPages } from "./dashboard.routes.js";
import { DashboardService } from "./dashboard.service.js";

/** The feature's public face: other features import it only from here. */
export type { DashboardService, DashboardSummary } from "./dashboard.service.js";

export type DashboardDeps = {
  /** Read-only: see dashboard.repo.ts for why it reads other features' tables. */
  db: Knex;
  /** Which channels (email, SMS) are connected, as the page says. */
  config: Config;
};

/** The admins' home page (/dashboard): where things stand, at a glance. */
export function createDashboard(deps: DashboardDeps): Feature & { dashboard: DashboardService } {
  const dashboard = new DashboardService(deps.db);
  return { name: "dashboard", dashboard, pages: [dashboardPages({ dashboard, config: deps.config })] };
}
