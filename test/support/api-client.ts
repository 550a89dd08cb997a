import assert from "node:assert/strict";
import type { TestApp } from "./app.js";
import { assertMatchesOpenApi } from "./openapi-check.js";

// biome-ignore lint/suspicious/noExplicitAny: a JSON reply, checked field by field by the assertions
export type Reply = { status: number; headers: Headers; body: any };

/**
 * One JSON API call the way an integrator makes it: fetch, a bearer key, JSON both ways.
 * The answer must match the OpenAPI description (test/support/openapi-check.ts).
 */
export async function call(
  app: TestApp,
  method: string,
  path: string,
  opts: { body?: unknown; raw?: string; key?: string | null; contentType?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  let payload: string | undefined;
  if (opts.raw !== undefined || opts.body !== undefined) {
    headers["content-type"] = opts.contentType ?? "application/json";
    payload = opts.raw ?? JSON.stringify(opts.body);
  }
  const res = await fetch(`${app.url}/api/v1${path}`, { method, headers, body: payload });
  const text = await res.text();
  const body = text ? JSON.parse(text) : null;
  // Every answer a suite sees through this client is checked against the API description.
  assertMatchesOpenApi(method, path, res.status, res.headers.get("content-type"), body);
  return { status: res.status, headers: res.headers, body };
}

/** An RFC 9457 problem with this status. */
export function assertProblem(reply: Reply, status: number) {
  assert.equal(reply.status, status, JSON.stringify(reply.body));
  assert.match(reply.headers.get("content-type") ?? "", /^application\/problem\+json/);
  assert.equal(reply.body.status, status);
  assert.equal(typeof reply.body.title, "string");
}
