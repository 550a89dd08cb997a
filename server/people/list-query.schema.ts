import { z } from "zod";
import { ValidationError } from "../core/errors.js";
import { zodFieldErrors } from "./users.schema.js";
import { type ListQuery, SORT_KEYS, STATUSES } from "./users.types.js";

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
// Far beyond any real list; keeps the OFFSET a safe integer on both dialects.
const MAX_PAGE = 1_000_000;

/**
 * A query-string parameter as given: absent, null or blank means "not given" (a form submits
 * its empty fields); a number is taken as its text; anything else (a repeated parameter, an
 * object) is not one value.
 */
const given = (raw: unknown): unknown => {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === "number" && Number.isFinite(raw)) return String(raw);
  if (typeof raw !== "string") return raw;
  const trimmed = raw.trim();
  return trimmed === "" ? undefined : trimmed;
};
const param = (inner: (s: z.ZodString) => z.ZodTypeAny) =>
  z.preprocess(given, inner(z.string({ invalid_type_error: "must be given once, as text" })).optional());

const text = (max: number) => param((s) => s.max(max, `must be at most ${max} characters`));
const oneOf = <T extends string>(allowed: readonly T[]) =>
  param((s) =>
    s.refine((v) => (allowed as readonly string[]).includes(v), `must be one of ${allowed.join(", ")}`).transform((v) => v as T),
  );
const wholeNumber = (min: number, max: number, message: string) =>
  param((s) =>
    s
      .refine((v) => {
        const n = /^\d{1,9}$/.test(v) ? Number(v) : Number.NaN;
        return n >= min && n <= max;
      }, message)
      .transform(Number),
  );

/** The users list's parameters, in the order their problems are listed. Unknown parameters are ignored. */
const listQuerySchema = z.object({
  q: text(100),
  status: oneOf(STATUSES),
  group: wholeNumber(1, 999_999_999, "must be a group id (a whole number of at least 1)"),
  department: text(191),
  site: text(191),
  sort: oneOf(SORT_KEYS),
  dir: oneOf(["asc", "desc"] as const),
  page: wholeNumber(1, MAX_PAGE, `must be a whole number between 1 and ${MAX_PAGE}`),
  pageSize: wholeNumber(1, MAX_PAGE_SIZE, `must be a whole number between 1 and ${MAX_PAGE_SIZE}`),
});

/**
 * The users list's filters, sorting and paging from a query string, for the API and the
 * admin page alike. An absent or empty parameter means "no filter" / the default; anything
 * else that does not fit is a ValidationError naming every offending parameter.
 */
export function parseListQuery(query: Record<string, unknown>): ListQuery {
  const parsed = listQuerySchema.safeParse(query);
  if (!parsed.success) throw new ValidationError(zodFieldErrors(parsed.error), "Some list parameters are not valid.");
  const { q, status, group: groupId, department, site, sort, dir, page, pageSize } = parsed.data;
  return {
    ...(q !== undefined && { q }),
    ...(status !== undefined && { status }),
    ...(groupId !== undefined && { groupId }),
    ...(department !== undefined && { department }),
    ...(site !== undefined && { site }),
    sort: sort ?? "name",
    dir: dir ?? "asc",
    page: page ?? 1,
    pageSize: pageSize ?? DEFAULT_PAGE_SIZE,
  };
}
