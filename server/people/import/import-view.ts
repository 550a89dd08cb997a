import { fromDbJson, fromDbTime } from "../../core/db/convert.js";
import { fromStoredMessage } from "../../core/db/stored-message.js";
import type { Message } from "../../core/message.js";
import { fmt } from "./count-format.js";
import type { Progress } from "./import-progress.js";
import type { ImportReport } from "./import-report.js";
import { type ImportRow, type ImportState, RUNNING_STATES } from "./imports.repo.js";

export type ImportView = {
  id: number;
  filename: string;
  state: ImportState;
  running: boolean;
  totalRows: number;
  processedRows: number;
  validRows: number;
  invalidRows: number;
  importedRows: number;
  report: ImportReport | null;
  /** In English (the command line says it so). */
  error: string | null;
  /** The same as a locale key, where the code worded it so: pages say it in the reader's language. */
  errorSaid: Message | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  canApply: boolean;
  canRecheck: boolean;
};

export type ImportStatus = {
  running: boolean;
  state: ImportState;
  totalRows: number;
  processedRows: number;
  progressText: string;
};

/** `live`: this process's progress of the import, if it runs it. */
export function toView(row: ImportRow, live: Progress | undefined): ImportView {
  const running = RUNNING_STATES.includes(row.state);
  // While the state is still running the memory has the newer progress; after, the row is final.
  const progress = running ? live : undefined;
  return {
    id: row.id,
    filename: row.filename,
    state: row.state,
    running,
    totalRows: progress ? progress.total : row.total_rows,
    processedRows: progress ? progress.processed : row.processed_rows,
    validRows: row.valid_rows,
    invalidRows: row.invalid_rows,
    importedRows: row.imported_rows,
    report: fromDbJson<ImportReport | null>(row.report, null),
    error: row.error,
    errorSaid: fromStoredMessage(row.error, row.error_key, row.error_values),
    createdBy: row.created_by,
    createdAt: fromDbTime(row.created_at) as string,
    updatedAt: fromDbTime(row.updated_at) as string,
    canApply: row.state === "checked" && row.valid_rows > 0,
    canRecheck: ["checked", "failed", "interrupted"].includes(row.state),
  };
}

/** The status of a check or import this process runs, from memory. */
export function liveStatus(live: Progress): ImportStatus {
  return {
    running: true,
    state: live.phase,
    totalRows: live.total,
    processedRows: live.processed,
    progressText: progressText(live),
  };
}

/** The status as the imports row has it (run by another instance, or ended). */
export function storedStatus(v: ImportView): ImportStatus {
  const phase = v.state === "importing" ? "importing" : "checking";
  // The import goes through the valid rows only.
  const total = phase === "importing" ? v.validRows : v.totalRows;
  return {
    running: v.running,
    state: v.state,
    totalRows: total,
    processedRows: v.processedRows,
    progressText: v.running ? progressText({ phase, processed: v.processedRows, total }) : "Done",
  };
}

function progressText(p: Progress): string {
  if (p.phase === "checking") return `Checked ${fmt(p.processed)} of about ${fmt(Math.max(p.total, p.processed))} rows`;
  return `Imported ${fmt(p.processed)} of ${fmt(p.total)} people`;
}

/** Why an import cannot be started in its state. */
export function stateConflict(id: number, state: ImportState): string {
  const why: Record<ImportState, string> = {
    checking: "is being checked",
    checked: "has been checked",
    importing: "is being imported",
    imported: "has already been imported",
    refused: "was refused; upload a corrected file",
    failed: "failed; check it again first",
    interrupted: "was interrupted; check it again first",
    expired: "has expired; upload the file again",
  };
  return `Import #${id} ${why[state]}.`;
}
