/** A route's numeric id, or null when the segment is not one (so the route can fall through). */
export function idParam(value: unknown): number | null {
  return typeof value === "string" && /^[1-9]\d{0,9}$/.test(value) ? Number(value) : null;
}

/** Checkbox lists arrive as a string or an array; keep the valid ids. */
export function idList(value: unknown): number[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return [...new Set(list.map((v) => idParam(String(v))).filter((v): v is number => v !== null))];
}
