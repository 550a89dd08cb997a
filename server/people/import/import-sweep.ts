import { nowMs } from "../../core/db/convert.js";
import { message } from "../../core/message.js";
import { type ImportContext, importFile } from "./import-context.js";
import { endUnheld, type ImportRow, RUNNING_STATES, storedError, WAITING_STATES } from "./imports.repo.js";
import { removeUpload } from "./upload-store.js";

/**
 * A running check or import that has not reported progress for this long stopped with its
 * process; also the lease of a run, which each report renews.
 */
export const STALE_MS = 60_000;
/** Uploaded files (personal data) of imports left waiting are removed after this long. */
const KEEP_FILES_MS = 7 * 24 * 60 * 60 * 1000;
/** How long a sweep holds what it ends (two statements: the claim, then letting go). */
const SWEEP_LEASE_MS = 60_000;

/**
 * Whether `row` says running but neither this process runs it, nor anyone reported for a
 * while, nor does anyone hold its lease.
 */
export function looksStale(ctx: ImportContext, row: ImportRow): boolean {
  const now = nowMs();
  const unheld = row.lease_owner === null || (row.lease_expires_at ?? 0) < now;
  return RUNNING_STATES.includes(row.state) && !ctx.live.has(row.id) && row.updated_at < now - STALE_MS && unheld;
}

/**
 * Marks the running imports (or only `onlyId`) that stopped with their process as
 * `interrupted`: taken through the work queue, so only those nobody holds any more.
 */
export async function sweepStale(ctx: ImportContext, onlyId?: number): Promise<void> {
  const now = nowMs();
  try {
    await endUnheld(
      ctx.queue,
      // Imports running in this process are alive even when they cannot report (SQLite's import).
      { states: RUNNING_STATES, before: now - STALE_MS, except: ctx.live.ids(), ...(onlyId !== undefined ? { onlyId } : {}) },
      {
        state: "interrupted",
        ...storedError(message("imports:stopped")),
        updated_at: now,
      },
      SWEEP_LEASE_MS,
    );
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
  await endUnheld(
    ctx.queue,
    { states: WAITING_STATES, before: now - KEEP_FILES_MS, except: ctx.live.ids(), limit: 100 },
    {
      state: "expired",
      ...storedError(message("imports:expired")),
      updated_at: now,
    },
    SWEEP_LEASE_MS,
    async (rows) => {
      for (const row of rows) await removeUpload(importFile(ctx, row));
    },
  );
}
