import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Router } from "express";
import { ADMIN_PASSWORD, createStaff, startTestApp, type TestApp } from "../support/app.js";
import { PageClient } from "../support/browser-client.js";
import { assertMatchesOpenApi } from "../support/openapi-check.js";

type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };

/** Every METHOD path the API router serves, in OpenAPI's path syntax (`/users/{id}`). */
function servedRoutes(router: Router): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const path = layer.route.path.replace(/:(\w+)/g, "{$1}");
        for (const method of Object.keys(layer.route.methods)) found.push(`${method.toUpperCase()} ${path}`);
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((router as unknown as { stack: Layer[] }).stack);
  return found.sort();
}

// The description does not depend on the database: SQLite alone.
describe("the API description (OpenAPI 3.1)", () => {
  let app: TestApp;
  // biome-ignore lint/suspicious/noExplicitAny: a JSON document, checked by the validator
  let doc: any;

  before(async () => {
    app = await startTestApp("sqlite");
    const res = await fetch(`${app.url}/api/v1/openapi.json`);
    assert.equal(res.status, 200, "served without a key");
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    doc = await res.json();
  });
  after(() => app?.stop());

  it("is a valid OpenAPI 3.1 document for a standard validator", async () => {
    assert.equal(doc.openapi, "3.1.0");
    const result = await new Validator().validate(doc);
    assert.deepEqual(result, { valid: true }, JSON.stringify(result.errors));
  });

  it("describes every route the API serves, and nothing it does not", () => {
    const described = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    assert.deepEqual(described, servedRoutes(Router().use(...app.ctx.features.flatMap((f) => f.api ?? []))));
  });

  it("describes the answers: user JSON, lists, problems, print jobs and printer status", () => {
    const schemas = doc.components.schemas;
    for (const field of [
      "id",
      "firstName",
      "lastName",
      "email",
      "phone",
      "phoneConsent",
      "employeeId",
      "department",
      "site",
      "language",
      "status",
      "groups",
      "createdAt",
      "joinedAt",
    ]) {
      assert.ok(schemas.User.required.includes(field), `User.${field}`);
    }
    assert.deepEqual(schemas.User.properties.status.enum, ["pending", "active", "deactivated"]);
    assert.deepEqual(schemas.PrintJob.properties.status.enum, [
      "queued",
      "processing",
      "completed",
      "failed",
      "canceled",
      "unconfirmed",
    ]);
    assert.deepEqual(schemas.PrinterStatus.properties.state.enum, ["idle", "processing", "stopped", "unreachable"]);
    const list = doc.paths["/users"].get.responses["200"].content["application/json"].schema;
    assert.deepEqual([...list.required].sort(), ["items", "page", "pageSize", "total"]);
    const problem = doc.paths["/users/{id}"].get.responses["404"].content["application/problem+json"].schema;
    assert.equal(problem.$ref, "#/components/schemas/Problem");
    assert.deepEqual(doc.paths["/invitations/redeem"].post.security, [], "redeem is public");
    assert.deepEqual(doc.paths["/users"].get.security, [{ apiKey: [] }]);
  });

  it("the tests' check refuses an answer that does not match it", () => {
    const user = { id: 1, firstName: "Ana", lastName: "Gil", email: null, phone: "0034 600", status: "pending" };
    assert.throws(() => assertMatchesOpenApi("GET", "/users/1", 200, "application/json", user), /does not match/);
    assert.throws(() => assertMatchesOpenApi("GET", "/users/1", 404, "application/json", { title: "x" }), /not described/);
    assert.throws(() => assertMatchesOpenApi("GET", "/users/1", 200, "text/html", "<p>"), /not described/);
    assert.throws(() => assertMatchesOpenApi("POST", "/users/1/poke", 200, "application/json", {}), /has no POST/);
    assert.throws(() => assertMatchesOpenApi("DELETE", "/users/1", 204, null, { id: 1 }), /says no body/);
  });

  it("is a page for admins, rendered on the server, and refused to the front desk", async () => {
    await createStaff(app.ctx, "admin");
    await createStaff(app.ctx, "frontdesk");
    const admin = new PageClient(app.url);
    await admin.signIn("admin@example.com", ADMIN_PASSWORD);
    const page = await admin.get("/admin/api");
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-security-policy") ?? "", /script-src 'self'/);
    assert.match(page.text, /<code>\/api\/v1\/users\/\{id\}\/invitation\.pdf<\/code>/);
    assert.match(page.text, /API key scope: users/);
    assert.doesNotMatch(page.text, /<script(?![^>]*\bsrc=)[^>]*>/, "no inline script");
    const desk = new PageClient(app.url);
    await desk.signIn("frontdesk@example.com", ADMIN_PASSWORD);
    assert.equal((await desk.get("/admin/api")).status, 403);
  });
});
