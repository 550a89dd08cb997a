import type { Knex } from "knex";
import { toStoredMessage } from "../../core/db/stored-message.js";
import type { Message } from "../../core/message.js";
import { WorkQueue } from "../../core/work/work-queue.js";

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
  /** The refusal's locale key and values (JSON), where the check refused the file. */
  error_key: string | null;
  error_values: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
  /** The claim token of the check or import running it (null when nobody runs it). */
  lease_owner: string | null;
  /** Until when (ms) the holder's lease lasts; renewed with each progress report. */
  lease_expires_at: number | null;
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
  "error_key",
  "error_values",
  "created_by",
  "created_at",
  "updated_at",
  "lease_owner",
  "lease_expires_at",
];

type Fields = Partial<Omit<ImportRow, "id" | "lease_owner" | "lease_expires_at">>;

/**
 * An import's error as stored: the English text (what the API answers) and, where the code
 * worded it by a locale key, the key and its values (what pages say in the reader's language).
 */
export function storedError(said: Message | string | null): Pick<ImportRow, "error" | "error_key" | "error_values"> {
  const text = said === null ? null : typeof said === "string" ? said : said.text;
  const { key, values } = toStoredMessage(typeof said === "string" ? null : said);
  return { error: text?.slice(0, 500) ?? null, error_key: key, error_values: values };
}

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
    lease_owner: (r.lease_owner as string | null | undefined) ?? null,
    lease_expires_at: r.lease_expires_at === null || r.lease_expires_at === undefined ? null : Number(r.lease_expires_at),
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

/**
 * Checks and imports as a work queue: a running one is held by the process running it,
 * under a lease its progress reports renew. Every claim, report and final write goes through
 * it, so that of two claimers (admins pressing at once, two instances) only one runs an
 * import, and a runner taken over for silence can no longer write.
 */
export const importsQueue = (db: Knex) =>
  new WorkQueue(db, { name: "imports", table: "imports", key: "id", owner: "lease_owner", expires: "lease_expires_at" });

/**
 * Takes import `id` if it is in one of `from` and nobody holds it, writing `fields` in the
 * same statement: the claim token, or null when someone else was first.
 */
export async function claimImport(
  queue: WorkQueue,
  id: number,
  from: ImportState[],
  fields: Fields & { state: ImportState },
  leaseMs: number,
): Promise<string | null> {
  const claim = await queue.claim({ keys: [id], ready: (q) => void q.whereIn("state", from), set: fields, leaseMs });
  return claim.rows.length ? claim.token : null;
}

/** A progress report that renews the lease; false when the claim no longer holds the import. */
export function reportProgress(
  queue: WorkQueue,
  token: string,
  id: number,
  processed: number,
  leaseMs: number,
  now: number,
): Promise<boolean> {
  return queue.update(token, id, { processed_rows: processed, updated_at: now, lease_expires_at: now + leaseMs });
}

/** The run's last write (its outcome), letting go of the lease; false when the claim no longer held it. */
export function finishImport(queue: WorkQueue, token: string, id: number, fields: Fields, trx?: Knex): Promise<boolean> {
  return queue.finish(token, id, fields, trx);
}

/**
 * Ends, with `fields`, the imports in one of `states` that nobody holds (or whose holder's
 * lease ran out) and that have not changed since `before`, except those in `except` (run by
 * this process) or only `onlyId`. Returns them as they were claimed.
 */
export async function endUnheld(
  queue: WorkQueue,
  opts: { states: ImportState[]; before: number; except: number[]; onlyId?: number; limit?: number },
  fields: Fields & { state: ImportState },
  leaseMs: number,
  between: (rows: ImportRow[]) => Promise<void> = async () => {},
): Promise<ImportRow[]> {
  if (opts.onlyId !== undefined && opts.except.includes(opts.onlyId)) return [];
  const claim = await queue.claim({
    ready: (q) => {
      q.whereIn("state", opts.states).where("updated_at", "<", opts.before);
      if (opts.except.length) q.whereNotIn("id", opts.except);
    },
    ...(opts.onlyId !== undefined ? { keys: [opts.onlyId] } : {}),
    orderBy: [{ column: "id" }],
    ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
    set: fields,
    leaseMs,
  });
  const rows = claim.rows.map(numeric);
  if (!rows.length) return rows;
  await between(rows);
  await queue.finishMany(
    claim.token,
    rows.map((r) => r.id),
  );
  return rows;
}
