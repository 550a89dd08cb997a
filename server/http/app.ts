import path from "node:path";
import express, { type Express } from "express";
import helmet from "helmet";
import { kioskAdminPages, kioskChoices } from "../../kiosk/kiosk-admin.routes.js";
import { kioskScreenPages } from "../../kiosk/kiosk-screen.routes.js";
import { letterPages } from "../../print/letter/letter-pages.routes.js";
import { printerPages } from "../../print/printers/printers.routes.js";
import { printPages } from "../../print/queue/print.routes.js";
import { printingProfileExtras } from "../../print/queue/profile-extras.js";
import { apiDocsPages } from "../api/api-docs.routes.js";
import { apiRouter } from "../api/router.js";
import { auditPages } from "../audit/audit.routes.js";
import { accountRoutes } from "../auth/account.routes.js";
import { adminPages } from "../auth/admin-pages.routes.js";
import { authRoutes } from "../auth/auth.routes.js";
import { brandingAdmin, brandingPublic } from "../branding/branding.routes.js";
import type { Context } from "../context.js";
import { dashboardPages } from "../dashboard/dashboard.routes.js";
import { translator } from "../i18n/index.js";
import { refuseKnownGuessers } from "../invitations/front-door.js";
import { invitationPages, invitationProfileExtras } from "../invitations/invitation-pages.routes.js";
import { joinPages } from "../invitations/join.routes.js";
import { routeBase } from "../metrics/app-metrics.js";
import { metricsRoutes } from "../metrics/metrics.routes.js";
import { bulkInvitePages } from "../notify/bulk-invite.routes.js";
import { deliveryPages } from "../notify/deliveries.routes.js";
import { deliveryProfileExtras } from "../notify/profile-extras.js";
import { groupPages } from "../people/groups.routes.js";
import { importPages } from "../people/import/import.routes.js";
import { userPages } from "../people/users.routes.js";
import { privacyPages, privacyProfileExtras } from "../privacy/privacy.routes.js";
import { phoneJoinPages } from "../registrations/phone-join.routes.js";
import { PROJECT_ROOT } from "../root.js";
import { orgSetupPages } from "../setup/org-setup.routes.js";
import { webhookPages } from "../webhooks/webhooks.routes.js";
import { loadSession } from "./auth-middleware.js";
import { csrfProtection } from "./csrf.js";
import { errorHandler, notFound } from "./errors.js";
import { healthRoutes } from "./health.js";
import { pageLanguage } from "./locale.js";
import { noStore } from "./no-store.js";
import { requestLog } from "./request-log.js";
import { viewHelpers } from "./view-helpers.js";

const root = PROJECT_ROOT;

export function createApp(ctx: Context): Express {
  const { config } = ctx;
  const app = express();
  app.disable("x-powered-by");
  // Pages and API answers are made anew for each request and never revalidated: hashing
  // every body for an ETag was 1.5% of a busy redeem endpoint's CPU. Static assets and the
  // logo keep validators of their own.
  app.set("etag", false);
  app.set("trust proxy", config.trustProxy);
  app.set("view engine", "ejs");
  // Compiled templates are kept in every environment: recompiling per render costs ~10 ms a page.
  app.set("view cache", true);
  app.set("views", path.join(root, "views"));
  // English until a request's language is known (pages rendered before it, such as a CSRF refusal).
  Object.assign(app.locals, viewHelpers, { t: translator("en"), lang: "en", languages: [] });

  app.use(refuseKnownGuessers(ctx.invitations));
  app.use(ctx.metrics.middleware());
  app.use(requestLog(ctx.log, (req) => req.url === "/healthz" || req.url === "/readyz" || req.url === "/metrics"));
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", "data:"],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          // Intranet installs often run on plain http; upgrading would break them.
          ...(config.secureCookies ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      strictTransportSecurity: config.secureCookies,
    }),
  );
  app.use("/assets", express.static(path.join(root, "server/http/public"), { maxAge: "1h", index: false }));
  app.use(healthRoutes(ctx));
  app.use(metricsRoutes(ctx.metrics, config.metricsToken));
  app.use(brandingPublic(ctx));
  app.use(noStore);

  app.use(express.json({ limit: "1mb", type: ["application/json", "application/*+json"] }));
  app.use(express.urlencoded({ extended: true, limit: "256kb", parameterLimit: 5000 }));

  app.use("/api/v1", routeBase(), apiRouter(ctx));
  // API paths nothing answered end here, before the page middleware (CSRF, sessions).
  app.use("/api", notFound);

  app.use(csrfProtection(config.secretKey, config.secureCookies));
  app.use(loadSession(ctx));
  app.use(async (req, res, next) => {
    res.locals.settings = await ctx.settings.get();
    res.locals.setupMissing = await ctx.settings.missingSetup();
    res.locals.currentPath = req.originalUrl;
    // The logo's version makes its URL change with it, so browsers may cache it.
    const logo = await ctx.branding.logo();
    res.locals.logoUrl = logo ? `/branding/logo?v=${logo.updatedAt}` : null;
    next();
  });
  app.use(pageLanguage);
  app.use(joinPages(ctx));
  app.use(kioskScreenPages(ctx));
  app.use(phoneJoinPages(ctx));
  app.use(authRoutes(ctx));
  app.use(accountRoutes(ctx));
  app.use(dashboardPages(ctx));
  app.use(invitationPages(ctx));
  app.use(letterPages(ctx));
  app.use(deliveryPages(ctx));
  app.use(bulkInvitePages(ctx));
  // Before userPages: its /users/:id would otherwise be asked for /users/:id/export.json first.
  app.use(privacyPages(ctx));
  app.use(["/users", "/groups"], kioskChoices(ctx));
  const invitationCard = invitationProfileExtras(ctx);
  const deliveries = deliveryProfileExtras(ctx);
  const printing = printingProfileExtras(ctx);
  const privacy = privacyProfileExtras(ctx);
  app.use(printPages(ctx));
  app.use(
    userPages(ctx, async (user) => ({
      ...(await invitationCard(user)),
      ...(await deliveries(user)),
      ...(await printing(user)),
      ...(await privacy(user)),
    })),
  );
  app.use(groupPages(ctx));
  app.use(importPages(ctx));
  app.use(auditPages(ctx));
  app.use(webhookPages(ctx));
  app.use(printerPages(ctx));
  app.use(brandingAdmin(ctx));
  app.use(kioskAdminPages(ctx));
  app.use(orgSetupPages(ctx));
  app.use(adminPages(ctx));
  app.use(apiDocsPages());

  app.use(notFound);
  app.use(errorHandler(ctx.log));
  return app;
}
