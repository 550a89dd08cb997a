/**
 * The one place where values change shape between the database and the code:
 * times are stored as UTC milliseconds since the epoch (BIGINT on both dialects),
 * booleans as 0/1 and JSON as text.
 */
export function fromDbTime(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return new Date(Number(v)).toISOString();
}

export const nowMs = (): number => Date.now();

export const toDbBool = (b: boolean): number => (b ? 1 : 0);
export const fromDbBool = (v: unknown): boolean => v === 1 || v === true || v === "1";

export const toDbJson = (v: unknown): string => JSON.stringify(v ?? null);
export function fromDbJson<T>(v: unknown, fallback: T): T {
  if (v === null || v === undefined || v === "") return fallback;
  if (typeof v !== "string") return v as T;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
}
