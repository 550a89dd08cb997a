/** The feature's public face: other features import it only from here. */
import type { Feature } from "../core/feature.js";
import { apiDocsPages } from "./api-docs.routes.js";
import { openApiRoute } from "./openapi.api.js";

/**
 * The description of /api/v1: the OpenAPI document (public, GET /api/v1/openapi.json) and
 * the page admins read it as (/admin/api). It reads the features' schemas through their
 * index.ts and needs nothing at run time.
 */
export function createApiDocs(): Feature {
  return { name: "apidocs", api: [openApiRoute()], pages: [apiDocsPages()] };
}
