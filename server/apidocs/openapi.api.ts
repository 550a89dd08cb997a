import { readFileSync } from "node:fs";
import path from "node:path";
import { Router } from "express";
import { PROJECT_ROOT } from "../core/root.js";
import { openApiDocument } from "./openapi/document.js";

/** The description's version: the service's own. */
export const apiVersion = (): string =>
  (JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string }).version;

/**
 * `GET /openapi.json`: the OpenAPI 3.1 description of /api/v1, public like the routes it
 * describes are documented (it names no data, only shapes), so tools can fetch it without
 * a key. The admins read it as a page at /admin/api.
 */
export function openApiRoute(): Router {
  const router = Router();
  router.get("/openapi.json", (_req, res) => {
    res.setHeader("Cache-Control", "no-cache");
    res.json(openApiDocument(apiVersion()));
  });
  return router;
}
