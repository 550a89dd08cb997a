import { nowMs } from "../../core/db/convert.js";
import { type ImportContext, importFile } from "./import-context.js";
import { claimImport, type ImportRow, markStale, RUNNING_STATES, WAITING_STATES, waitingSince } from "./imports.repo.js";
import { removeUpload } from "./upload-store.js";

/** A running import that has not reported progress for this long stopped with its process. */
const STALE_MS = 60_000;
/** Uploaded files (personal data) of imports left waiting are removed after this long. */
const KEEP_FILES_MS = 7 * 24 * 60 * 60 * 1000;

/** Whether `row` says running but neither this process runs it nor anyone reported for a while. */
export function looksStale(ctx: ImportContext, row: ImportRow): boolean {
  return RUNNING_STATES.includes(row.state) && !ctx.live.has(row.id) && row.updated_at < nowMs() - STALE_MS;
}

/** Marks the running imports (or only `onlyId`) that stopped with their process as `interrupted`. */
export async function sweepStale(ctx: ImportContext, onlyId?: number): Promise<void> {
  const now = nowMs();
  try {
    // Imports running in this process are alive even when they cannot report (SQLite's import).
    await markStale(ctx.db, now - STALE_MS, now, onlyId, ctx.live.ids());
  } catch {
    // Another process holds the database (SQLite): try again at the next read.
  }
}

/**
 * Removes the files (personal data) of imports left unimported for 7 days and marks them
 * `expired`.
 */
export async function expireAbandoned(ctx: ImportContext): Promise<void> {
  const now = nowMs();
  for (const row of await waitingSince(ctx.db, now - KEEP_FILES_MS)) {
    if (ctx.live.has(row.id)) continue;
    await removeUpload(importFile(ctx, row));
    await claimImport(ctx.db, row.id, WAITING_STATES, {
      state: "expired",
      error: "The file was removed after 7 days without being imported; upload it again.",
      updated_at: now,
    });
  }
}
