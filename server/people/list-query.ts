import { type FieldErrors, ValidationError } from "../core/errors.js";
import { STATUSES, type Status } from "./user.schema.js";
import { type ListQuery, SORTS, type SortKey } from "./users.repo.js";

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
// Far beyond any real list; keeps the OFFSET a safe integer on both dialects.
const MAX_PAGE = 1_000_000;
const SORT_KEYS = Object.keys(SORTS) as SortKey[];

/**
 * The users list's filters, sorting and paging from a query string, for the API and the
 * admin page alike. An absent or empty parameter means "no filter" / the default (a form
 * submits its empty fields); anything else that does not fit is a ValidationError naming
 * every offending parameter. Unknown parameters are ignored.
 */
export function parseListQuery(query: Record<string, unknown>): ListQuery {
  const errors: FieldErrors = {};
  const value = (key: string): string | undefined => {
    const raw = query[key];
    if (raw === undefined || raw === null) return undefined;
    if (typeof raw === "number" && Number.isFinite(raw)) return String(raw);
    if (typeof raw !== "string") {
      errors[key] = "must be given once, as text";
      return undefined;
    }
    const trimmed = raw.trim();
    return trimmed === "" ? undefined : trimmed;
  };
  const text = (key: string, max: number): string | undefined => {
    const v = value(key);
    if (v !== undefined && v.length > max) {
      errors[key] = `must be at most ${max} characters`;
      return undefined;
    }
    return v;
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[]): T | undefined => {
    const v = value(key);
    if (v === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(v)) {
      errors[key] = `must be one of ${allowed.join(", ")}`;
      return undefined;
    }
    return v as T;
  };
  const wholeNumber = (key: string, min: number, max: number, message: string): number | undefined => {
    const v = value(key);
    if (v === undefined) return undefined;
    const n = /^\d{1,9}$/.test(v) ? Number(v) : Number.NaN;
    if (!(n >= min && n <= max)) {
      errors[key] = message;
      return undefined;
    }
    return n;
  };

  const q = text("q", 100);
  const status = oneOf<Status>("status", STATUSES);
  const groupId = wholeNumber("group", 1, 999_999_999, "must be a group id (a whole number of at least 1)");
  const department = text("department", 191);
  const site = text("site", 191);
  const sort = oneOf<SortKey>("sort", SORT_KEYS) ?? "name";
  const dir = oneOf("dir", ["asc", "desc"] as const) ?? "asc";
  const page = wholeNumber("page", 1, MAX_PAGE, `must be a whole number between 1 and ${MAX_PAGE}`) ?? 1;
  const pageSize =
    wholeNumber("pageSize", 1, MAX_PAGE_SIZE, `must be a whole number between 1 and ${MAX_PAGE_SIZE}`) ?? DEFAULT_PAGE_SIZE;

  if (Object.keys(errors).length) throw new ValidationError(errors, "Some list parameters are not valid.");
  return {
    ...(q !== undefined && { q }),
    ...(status !== undefined && { status }),
    ...(groupId !== undefined && { groupId }),
    ...(department !== undefined && { department }),
    ...(site !== undefined && { site }),
    sort,
    dir,
    page,
    pageSize,
  };
}
