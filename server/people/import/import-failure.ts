import { nowMs, toDbJson } from "../../core/db/convert.js";
import { AppError, PayloadTooLargeError } from "../../core/errors.js";
import type { Actor } from "../../core/events.js";
import { FileRefusedError } from "./csv-read.js";
import type { ImportContext } from "./import-context.js";
import type { ImportReport } from "./import-report.js";
import { finishImport, storedError } from "./imports.repo.js";

/** Thrown inside the import transaction to roll it back when rows no longer pass. */
export class RowsChangedError extends Error {}

/**
 * Records a check or import that broke off; the transaction has rolled back, so nothing was
 * imported. Nothing is recorded when the run's lease went to someone else meanwhile: the one
 * who took the import over has said what became of it.
 */
export async function recordFailure(
  ctx: ImportContext,
  id: number,
  token: string,
  actor: Actor,
  what: "check" | "import",
  err: unknown,
  report: ImportReport | null,
): Promise<void> {
  const message = explainFailure(what, err);
  try {
    const held = await finishImport(ctx.queue, token, id, {
      state: "failed",
      ...storedError(message),
      ...(report ? { report: toDbJson(report) } : {}),
      updated_at: nowMs(),
    });
    if (!held) return;
  } catch {
    // The database is away: the import stays "running" until it is found stale.
  }
  await ctx.events.emit("import.failed", {
    actor,
    summary: `Import #${id} failed during the ${what}; nothing was imported (${failureReason(err)})`,
    target: { type: "import", id },
    importId: id,
  });
}

/** Audits a file refused at the upload (`id` null) or at the check; other errors are not refusals. */
export async function auditRefusal(ctx: ImportContext, err: unknown, actor: Actor, id: number | null): Promise<void> {
  const reason = err instanceof FileRefusedError ? err.reason : err instanceof PayloadTooLargeError ? "larger than 10 MB" : null;
  if (!reason) return;
  await ctx.events.emit("import.refused", {
    actor,
    summary: id ? `Refused import #${id}: ${reason}` : `Refused an import file: ${reason}`,
    ...(id ? { target: { type: "import", id } } : {}),
  });
}

/** The database's own messages may quote the duplicate value: only codes go into the stored message and the audit log. */
function failureReason(err: unknown): string {
  if (err instanceof RowsChangedError) return "rows changed since the check";
  const code = (err as { code?: unknown } | null)?.code;
  if (code === "ER_DUP_ENTRY" || (typeof code === "string" && code.startsWith("SQLITE_CONSTRAINT")))
    return "duplicate registered meanwhile";
  if (typeof code === "string") return `error ${code}`;
  return "unexpected error";
}

function explainFailure(what: "check" | "import", err: unknown): string {
  if (err instanceof RowsChangedError) return err.message;
  if (err instanceof AppError) return err.message;
  const code = (err as { code?: unknown } | null)?.code;
  if (code === "ER_DUP_ENTRY" || (typeof code === "string" && code.startsWith("SQLITE_CONSTRAINT"))) {
    return "While importing, someone registered a person with an email address, phone number or employee id of this file. Nothing was imported: check the file again, then import.";
  }
  if (code === "ENOENT") return "The uploaded file is no longer on this server. Nothing was imported: upload it again.";
  if (typeof code === "string") {
    return `The ${what} stopped on an error (${code}). Nothing was imported; try again in a moment.`;
  }
  return `The ${what} stopped on an unexpected error (${(err as Error)?.message ?? err}). Nothing was imported.`;
}
