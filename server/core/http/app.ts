import path from "node:path";
import express, { type Express, Router } from "express";
import helmet from "helmet";
import type { SessionLookup } from "../auth/principals.js";
import type { Config } from "../config.js";
import type { Feature } from "../feature.js";
import { translator } from "../i18n/index.js";
import type { Logger } from "../log.js";
import { PROJECT_ROOT } from "../root.js";
import { loadSession } from "./auth-middleware.js";
import { csrfProtection } from "./csrf.js";
import { errorHandler, notFound } from "./errors.js";
import { pageLanguage } from "./locale.js";
import { noStore } from "./no-store.js";
import { requestLog } from "./request-log.js";
import { routeBase } from "./route-base.js";
import { viewHelpers } from "./view-helpers.js";

const root = PROJECT_ROOT;

type Deps = { config: Pick<Config, "trustProxy" | "secureCookies" | "secretKey">; log: Logger; sessions: SessionLookup };

/**
 * The Express app: the plumbing every request goes through (security headers, parsers, CSRF,
 * sessions, language, errors) around what the features contribute, in the order given.
 */
export function createApp(deps: Deps, features: Feature[]): Express {
  const { config } = deps;
  const all = <K extends "first" | "open" | "api" | "pageLocals" | "pages">(part: K): NonNullable<Feature[K]> =>
    features.flatMap((f) => f[part] ?? []) as NonNullable<Feature[K]>;
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
  // English until a request's language is known (pages rendered before it: none but a failure).
  Object.assign(app.locals, viewHelpers, { t: translator("en"), lang: "en", languages: [] });

  for (const handler of all("first")) app.use(handler);
  app.use(requestLog(deps.log, (req) => req.url === "/healthz" || req.url === "/readyz" || req.url === "/metrics"));
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
  app.use("/assets", express.static(path.join(root, "server/core/http/public"), { maxAge: "1h", index: false }));
  for (const router of all("open")) app.use(router);
  app.use(noStore);

  app.use(express.json({ limit: "1mb", type: ["application/json", "application/*+json"] }));
  app.use(express.urlencoded({ extended: true, limit: "256kb", parameterLimit: 5000 }));

  const api = Router();
  for (const router of all("api")) api.use(router);
  app.use("/api/v1", routeBase(), api);
  // API paths nothing answered end here, before the page middleware (CSRF, sessions).
  app.use("/api", notFound);

  app.use(loadSession(deps.sessions));
  app.use((req, res, next) => {
    res.locals.currentPath = req.originalUrl;
    next();
  });
  for (const handler of all("pageLocals")) app.use(handler);
  app.use(pageLanguage);
  // After the language (its refusal is a page in the reader's language), before any page's
  // handler; what runs before it only reads.
  app.use(csrfProtection(config.secretKey, config.secureCookies));
  for (const router of all("pages")) app.use(router);

  app.use(notFound);
  app.use(errorHandler(deps.log));
  return app;
}
