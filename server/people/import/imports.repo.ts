import type { Knex } from "knex";

/**
 * An import's life: `checking` (dry run) → `checked` → `importing` → `imported`.
 * `refused`: the file cannot be imported at all; `failed`: the check or the import broke
 * off and nothing was imported; `interrupted`: the process stopped while it ran;
 * `expired`: left without importing for days, its file has been removed.
 */
export const IMPORT_STATES = [
  "checking",
  "checked",
  "importing",
  "imported",
  "refused",
  "failed",
  "interrupted",
  "expired",
] as const;
/** States whose files are kept for a later check or import. */
export const WAITING_STATES: ImportState[] = ["checked", "failed", "interrupted"];
export type ImportState = (typeof IMPORT_STATES)[number];
export const RUNNING_STATES: ImportState[] = ["checking", "importing"];

export type ImportRow = {
  id: number;
  filename: string;
  file_path: string;
  state: ImportState;
  total_rows: number;
  processed_rows: number;
  valid_rows: number;
  invalid_rows: number;
  imported_rows: number;
  report: string | null;
  error: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
};

const COLUMNS = [
  "id",
  "filename",
  "file_path",
  "state",
  "total_rows",
  "processed_rows",
  "valid_rows",
  "invalid_rows",
  "imported_rows",
  "report",
  "error",
  "created_by",
  "created_at",
  "updated_at",
];

type Fields = Partial<Omit<ImportRow, "id">>;

const numeric = (r: Record<string, unknown>): ImportRow =>
  ({
    ...r,
    id: Number(r.id),
    total_rows: Number(r.total_rows),
    processed_rows: Number(r.processed_rows),
    valid_rows: Number(r.valid_rows),
    invalid_rows: Number(r.invalid_rows),
    imported_rows: Number(r.imported_rows),
    created_at: Number(r.created_at),
    updated_at: Number(r.updated_at),
  }) as ImportRow;

export async function insertImport(db: Knex, fields: Fields): Promise<number> {
  const [id] = await db("imports").insert(fields);
  return Number(id);
}

export async function findImport(db: Knex, id: number): Promise<ImportRow | undefined> {
  const row = await db("imports").select(COLUMNS).where({ id }).first();
  return row ? numeric(row) : undefined;
}

export async function listImports(db: Knex, limit: number): Promise<ImportRow[]> {
  const rows = await db("imports").select(COLUMNS).orderBy("id", "desc").limit(limit);
  return rows.map(numeric);
}

export async function waitingSince(db: Knex, before: number): Promise<ImportRow[]> {
  const rows = await db("imports").select(COLUMNS).whereIn("state", WAITING_STATES).where("updated_at", "<", before).limit(100);
  return rows.map(numeric);
}

export async function updateImport(db: Knex, id: number, fields: Fields): Promise<void> {
  await db("imports").where({ id }).update(fields);
}

/**
 * Moves an import from one of `from` to `to` if nobody else did: the one statement that
 * decides who runs it when two admins (or two instances) press the button at once.
 */
export async function claimImport(
  db: Knex,
  id: number,
  from: ImportState[],
  fields: Fields & { state: ImportState },
): Promise<boolean> {
  const n = await db("imports").where({ id }).whereIn("state", from).update(fields);
  return Number(n) === 1;
}

/** Running imports whose runner has not reported for a while stopped with their process. */
export async function markStale(db: Knex, before: number, now: number, onlyId?: number, except: number[] = []): Promise<number> {
  const q = db("imports").whereIn("state", RUNNING_STATES).where("updated_at", "<", before);
  if (onlyId !== undefined) q.where({ id: onlyId });
  if (except.length) q.whereNotIn("id", except);
  const n = await q.update({
    state: "interrupted",
    error: "The service stopped while this file was being processed; nothing was imported.",
    updated_at: now,
  });
  return Number(n);
}
