import type { Request } from "express";
import { type FieldErrors, NotFoundError, ValidationError } from "../errors.js";

/** The one shape of a stored row's id in a path or a form: a positive integer of at most 15 digits (a safe integer). */
const ID = /^[1-9]\d{0,14}$/;

/** A route's numeric id, or null when the segment is not one (so the route can fall through). */
export function idParam(value: unknown): number | null {
  return typeof value === "string" && ID.test(value) ? Number(value) : null;
}

/** Checkbox lists arrive as a string or an array; keep the valid ids. */
export function idList(value: unknown): number[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return [...new Set(list.map((v) => idParam(String(v))).filter((v): v is number => v !== null))];
}

/**
 * A path id as a number. Anything that is not a positive integer cannot name a stored
 * row, so it is answered like an id that does not exist: 404, never a database error.
 */
export function pathId(req: Request, param: string, what: string): number {
  const raw = req.params[param];
  const id = idParam(raw);
  if (id === null) throw new NotFoundError(`${what} "${String(raw).slice(0, 40)}" does not exist.`);
  return id;
}

/**
 * The request body as a JSON object whose keys are all in `allowed`. A body of another
 * type, or sent without a JSON content type, or with keys we do not know (a typo would
 * otherwise be silently ignored) is a 400 naming what is wrong.
 */
export function jsonObjectBody(
  req: Request,
  allowed: readonly string[],
  explain: Record<string, string> = {},
): Record<string, unknown> {
  if (!req.is(["application/json", "application/*+json"])) {
    throw new ValidationError(
      { body: "must be a JSON object sent with Content-Type: application/json" },
      "The request body must be a JSON object.",
    );
  }
  const body: unknown = req.body;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ValidationError({ body: "must be a JSON object" }, "The request body must be a JSON object.");
  }
  const unknown: FieldErrors = {};
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) unknown[key] = explain[key] ?? `is not a known field (known: ${allowed.join(", ")})`;
  }
  if (Object.keys(unknown).length) throw new ValidationError(unknown, "The request body has fields this endpoint does not take.");
  return body as Record<string, unknown>;
}
