import { existsSync } from "node:fs";
import { unlink } from "node:fs/promises";
import path from "node:path";
import type { Readable, Writable } from "node:stream";
import type { Knex } from "knex";
import type { Config } from "../../config.js";
import { fromDbJson, fromDbTime, nowMs, toDbJson } from "../../db/convert.js";
import { dialectOf } from "../../db/knex.js";
import { AppError, ConflictError, NotFoundError, PayloadTooLargeError } from "../../errors.js";
import type { Actor, EventBus } from "../../events.js";
import type { SettingsService } from "../../settings.js";
import { groupIdsByNames, insertGroup, insertMemberships } from "../groups.repo.js";
import { insertImportedUsers } from "../users.repo.js";
import { type ImportField, mapHeader } from "./columns.js";
import { type Delimiter, FileRefusedError, readHeader, readRows } from "./csv-read.js";
import {
  claimImport,
  findImport,
  type ImportRow,
  type ImportState,
  insertImport,
  listImports,
  markStale,
  RUNNING_STATES,
  updateImport,
  WAITING_STATES,
  waitingSince,
} from "./imports.repo.js";
import { PreparedWriter, preparedPath, readPrepared } from "./prepared-rows.js";
import { type CheckedRow, findRegistered, type PreparedRow, RowChecker, type RowError } from "./row-check.js";
import { storeUpload } from "./upload-store.js";
import { type ExportFilter, type ExportOptions, writeUsersCsv } from "./users-csv.js";

/** Rows checked (and inserted) between two database round trips and progress reports. */
const CHUNK = 1000;
/** Row errors kept in the report; all are counted. */
export const MAX_STORED_ERRORS = 1000;
const MAX_LISTED_GROUPS = 200;
/** A running import that has not reported progress for this long stopped with its process. */
const STALE_MS = 60_000;
/** Uploaded files (personal data) of imports left waiting are removed after this long. */
const KEEP_FILES_MS = 7 * 24 * 60 * 60 * 1000;

export type ImportReport = {
  delimiter: Delimiter;
  /** The organization's country at the check: phone numbers without a prefix were read as its. */
  defaultCountry: string;
  columns: Array<{ header: string; field: ImportField | null }>;
  errors: RowError[];
  errorCount: number;
  groupsToCreate: string[];
  groupsToCreateCount: number;
  memberships: number;
  /** After the import. */
  createdGroups?: number;
  /** Rows valid at the check but not at the import: why it was called off. */
  applyErrors?: RowError[];
  applyErrorCount?: number;
};

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
  error: string | null;
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

export type Progress = { phase: "checking" | "importing"; processed: number; total: number };
type Live = Progress & { done: Promise<unknown> };

/** Thrown inside the import transaction to roll it back when rows no longer pass. */
class RowsChangedError extends Error {}

const fmt = (n: number) => n.toLocaleString("en-US");

/**
 * CSV import of people: store the upload, check every row (the dry run), then import the
 * rows found valid in one transaction. Progress lives in memory for this process and, where
 * the database allows a second connection, in the imports row for other instances.
 */
export class ImportsService {
  private live = new Map<number, Live>();
  private uploadsDir: string;

  constructor(
    private db: Knex,
    private events: EventBus,
    private settings: SettingsService,
    config: Config,
  ) {
    this.uploadsDir = path.join(config.dataDir, "uploads");
  }

  /**
   * Stores an uploaded file (streamed, at most 10 MB) and reads its header line. A file
   * that cannot be imported at all is refused here, with nothing kept. The new import is
   * `checking`; call check() (CLI) or startCheck() (pages) next.
   */
  async create(source: Readable, filename: string, actor: Actor): Promise<ImportView> {
    await this.pruneAbandoned();
    let stored: Awaited<ReturnType<typeof storeUpload>>;
    try {
      stored = await storeUpload(source, this.uploadsDir);
    } catch (err) {
      await this.auditRefusal(err, actor, null);
      throw err;
    }
    try {
      mapHeader((await readHeader(stored.filePath)).headers);
    } catch (err) {
      await unlink(stored.filePath).catch(() => {});
      await this.auditRefusal(err, actor, null);
      throw err;
    }
    const now = nowMs();
    const id = await insertImport(this.db, {
      filename: cleanFilename(filename),
      file_path: path.relative(this.uploadsDir, stored.filePath),
      state: "checking",
      // An estimate for the progress bar until the check has counted the rows.
      total_rows: Math.max(1, stored.lineBreaks),
      created_by: actor.label.slice(0, 191),
      created_at: now,
      updated_at: now,
    });
    return this.get(id);
  }

  async get(id: number): Promise<ImportView> {
    let row = await this.requireRow(id);
    if (RUNNING_STATES.includes(row.state) && !this.live.has(id) && row.updated_at < nowMs() - STALE_MS) {
      await this.sweepStale(id);
      row = await this.requireRow(id);
    }
    return this.toView(row);
  }

  async recent(limit = 10): Promise<ImportView[]> {
    await this.sweepStale();
    return (await listImports(this.db, limit)).map((r) => this.toView(r));
  }

  /** For the page's progress bar; answered from memory while this process runs the import. */
  async status(id: number): Promise<ImportStatus> {
    const live = this.live.get(id);
    if (live) {
      return {
        running: true,
        state: live.phase,
        totalRows: live.total,
        processedRows: live.processed,
        progressText: progressText(live),
      };
    }
    const v = await this.get(id);
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

  /** Resolves when the check or import running in this process for `id` has ended. */
  async settled(id: number): Promise<void> {
    await this.live.get(id)?.done.catch(() => {});
  }

  /** The dry run, run to its end: counts, per-row errors, groups to create. Nothing is written but the report. */
  async check(id: number, actor: Actor, onProgress?: (p: Progress) => void): Promise<ImportView> {
    const row = await this.claimCheck(id);
    return this.track(id, "checking", row.total_rows, () => this.runCheck(id, actor, onProgress));
  }

  /** The dry run in the background (pages); the claim is awaited so that conflicts surface. */
  async startCheck(id: number, actor: Actor): Promise<void> {
    const row = await this.claimCheck(id);
    void this.track(id, "checking", row.total_rows, () => this.runCheck(id, actor)).catch(() => {});
  }

  /** Imports the rows the dry run found valid, all or nothing; returns the import as it ended (imported or failed). */
  async apply(id: number, actor: Actor, onProgress?: (p: Progress) => void): Promise<ImportView> {
    const row = await this.claimApply(id);
    return this.track(id, "importing", row.valid_rows, () => this.runApply(row, actor, onProgress));
  }

  async startApply(id: number, actor: Actor): Promise<void> {
    const row = await this.claimApply(id);
    void this.track(id, "importing", row.valid_rows, () => this.runApply(row, actor)).catch(() => {});
  }

  /** The people matching a list filter as CSV; audited with the count only, also when the download breaks off. */
  async exportCsv(filter: ExportFilter, actor: Actor, out: Writable, opts: ExportOptions = {}): Promise<number> {
    const written = { count: 0 };
    let complete = false;
    try {
      await writeUsersCsv(this.db, filter, out, opts, written);
      complete = true;
      return written.count;
    } finally {
      const used = [
        filter.q ? "search" : null,
        filter.status ? `status ${filter.status}` : null,
        filter.groupId ? `group #${filter.groupId}` : null,
        filter.department ? "department" : null,
        filter.site ? "site" : null,
      ].filter(Boolean);
      const n = written.count;
      await this.events.emit("users.exported", {
        actor,
        summary: `Exported ${fmt(n)} ${n === 1 ? "person" : "people"} to CSV${used.length ? ` (filtered by ${used.join(", ")})` : ""}${
          complete ? "" : " — the download broke off"
        }`,
        count: n,
      });
    }
  }

  // --- the dry run -------------------------------------------------------------------

  private async claimCheck(id: number): Promise<ImportRow> {
    const row = await this.requireRow(id);
    if (this.live.has(id)) throw new ConflictError(`Import #${id} is already running.`);
    const from: ImportState[] = ["checked", "failed", "interrupted"];
    // A new import is `checking` before its first check starts.
    if (row.state === "checking" && row.processed_rows === 0) from.push("checking");
    if (!from.includes(row.state)) throw new ConflictError(stateConflict(id, row.state));
    if (!existsSync(this.filePath(row))) {
      throw new ConflictError(`The file of import #${id} is no longer on this server; upload it again.`);
    }
    const ok = await claimImport(this.db, id, from, { state: "checking", processed_rows: 0, error: null, updated_at: nowMs() });
    if (!ok) throw new ConflictError(`Import #${id} has just been started by someone else.`);
    return row;
  }

  private async runCheck(id: number, actor: Actor, onProgress?: (p: Progress) => void): Promise<ImportView> {
    const row = await this.requireRow(id);
    const file = this.filePath(row);
    const prepared = new PreparedWriter(preparedPath(file));
    let previous: Promise<void> = Promise.resolve();
    try {
      const { defaultCountry } = await this.settings.get();
      const { delimiter, headers } = await readHeader(file);
      const map = mapHeader(headers);
      const checker = new RowChecker(map, defaultCountry);
      const errors: RowError[] = [];
      let errorCount = 0;
      let validRows = 0;
      let invalidRows = 0;
      let memberships = 0;
      const groups = new Map<string, string>();

      // Each chunk's "already registered" lookups run while the next chunk is being
      // inspected (with MySQL the database works while this process parses); the chunks
      // are still counted and written strictly in file order.
      const settle = async (rows: CheckedRow[]) => {
        const ok: PreparedRow[] = [];
        for (const r of rows) {
          if (r.user && r.errors.length === 0) {
            ok.push({ line: r.line, user: r.user, groups: r.groups });
            memberships += r.groups.length;
            for (const g of r.groups) if (!groups.has(g.key)) groups.set(g.key, g.name);
          } else {
            invalidRows++;
            errorCount += r.errors.length;
            for (const e of r.errors) if (errors.length < MAX_STORED_ERRORS) errors.push(e);
          }
        }
        validRows += ok.length;
        await prepared.write(ok);
        await this.progress(id, validRows + invalidRows, true, onProgress);
      };
      let chunk: CheckedRow[] = [];
      const flush = async () => {
        const rows = chunk;
        chunk = [];
        const lookup = findRegistered(this.db, rows);
        lookup.catch(() => {}); // surfaces through `previous`
        await previous;
        previous = lookup.then(() => settle(rows));
        previous.catch(() => {}); // handled when awaited; meanwhile not an unhandled rejection
      };
      for await (const csvRow of readRows(file, delimiter)) {
        chunk.push(checker.inspect(csvRow));
        if (chunk.length >= CHUNK) await flush();
      }
      await flush();
      await previous;
      await prepared.close();
      const total = validRows + invalidRows;

      const existing = await groupIdsByNames(this.db, [...groups.keys()]);
      const toCreate = [...groups].filter(([key]) => !existing.has(key)).map(([, name]) => name);
      const report: ImportReport = {
        delimiter,
        defaultCountry,
        columns: map.columns.map((c) => ({ header: c.header, field: c.field })),
        errors,
        errorCount,
        groupsToCreate: toCreate.slice(0, MAX_LISTED_GROUPS),
        groupsToCreateCount: toCreate.length,
        memberships,
      };
      await updateImport(this.db, id, {
        state: "checked",
        total_rows: total,
        processed_rows: total,
        valid_rows: validRows,
        invalid_rows: invalidRows,
        imported_rows: 0,
        report: toDbJson(report),
        error: null,
        updated_at: nowMs(),
      });
      await this.events.emit("import.checked", {
        actor,
        summary: `Checked import #${id}: ${fmt(total)} rows, ${fmt(validRows)} valid, ${fmt(invalidRows)} with problems${
          toCreate.length ? `, ${fmt(toCreate.length)} new groups` : ""
        }`,
        target: { type: "import", id },
        importId: id,
      });
    } catch (err) {
      await previous.catch(() => {}); // a chunk still being settled
      await prepared.abandon();
      await unlink(prepared.path).catch(() => {});
      if (err instanceof FileRefusedError) {
        await unlink(file).catch(() => {});
        await updateImport(this.db, id, {
          state: "refused",
          error: err.fields.file?.slice(0, 500) ?? err.message,
          updated_at: nowMs(),
        });
        await this.auditRefusal(err, actor, id);
      } else {
        await this.fail(id, actor, "check", err, null);
      }
    }
    return this.get(id);
  }

  // --- the import --------------------------------------------------------------------

  private async claimApply(id: number): Promise<ImportRow> {
    const row = await this.requireRow(id);
    if (row.state !== "checked") throw new ConflictError(stateConflict(id, row.state));
    if (row.valid_rows === 0)
      throw new ConflictError(`No row of import #${id} can be imported: correct the file and upload it again.`);
    if (!existsSync(preparedPath(this.filePath(row)))) {
      throw new ConflictError(`The checked rows of import #${id} are no longer on this server; upload the file again.`);
    }
    const ok = await claimImport(this.db, id, ["checked"], {
      state: "importing",
      processed_rows: 0,
      error: null,
      updated_at: nowMs(),
    });
    if (!ok) throw new ConflictError(`Import #${id} has just been started by someone else.`);
    return row;
  }

  /**
   * Takes the rows the dry run found valid, checks them again against the database as it
   * is now, and inserts them with their groups and memberships in one transaction. If any
   * of them no longer passes, nothing is imported and the report says which and why.
   */
  private async runApply(row: ImportRow, actor: Actor, onProgress?: (p: Progress) => void): Promise<ImportView> {
    const id = row.id;
    const file = this.filePath(row);
    const report = fromDbJson<ImportReport | null>(row.report, null);
    const problems: RowError[] = [];
    let problemCount = 0;
    let imported = 0;
    let createdGroups = 0;
    let memberships = 0;
    try {
      if (!report) throw new Error("the check's report is missing");
      const now = nowMs();
      const consentBy = `${actor.label} (import #${id})`.slice(0, 191);
      const groupIds = new Map<string, number>();
      // MySQL: progress goes out on another connection. SQLite has one connection, held by the transaction.
      const heartbeat = dialectOf(this.db) === "mysql";

      await this.db.transaction(async (trx) => {
        // Group ids are found (or groups created) one chunk after the other, never twice.
        let groupsReady: Promise<void> = Promise.resolve();
        const resolveGroups = (rows: PreparedRow[]): Promise<void> => {
          const step = groupsReady.then(async () => {
            const missing = new Map<string, string>();
            for (const r of rows) for (const g of r.groups) if (!groupIds.has(g.key)) missing.set(g.key, g.name);
            if (!missing.size) return;
            // Groups created or deleted since the check are taken as they are now.
            for (const [key, gid] of await groupIdsByNames(trx, [...missing.keys()])) groupIds.set(key, gid);
            for (const [key, name] of missing) {
              if (groupIds.has(key)) continue;
              groupIds.set(key, await insertGroup(trx, name, key, now));
              createdGroups++;
            }
          });
          groupsReady = step.catch(() => {});
          return step;
        };

        const insertChunk = async (rows: PreparedRow[]) => {
          const ids = await insertImportedUsers(
            trx,
            id,
            rows.map((r) => ({
              ...r.user,
              phone_consent_at: r.user.phone_consent ? now : null,
              phone_consent_by: r.user.phone_consent ? consentBy : null,
              status: "pending",
              created_at: now,
              updated_at: now,
              joined_at: null,
              deactivated_at: null,
            })),
          );
          await resolveGroups(rows);
          const links: Array<{ group_id: number; user_id: number; added_at: number }> = [];
          rows.forEach((r, i) => {
            for (const g of r.groups)
              links.push({ group_id: groupIds.get(g.key) as number, user_id: ids[i] as number, added_at: now });
          });
          // The people are new: no membership of theirs can exist, so none is looked for.
          await insertMemberships(trx, links);
          memberships += links.length;
          imported += rows.length;
        };

        const processChunk = async (rows: PreparedRow[]) => {
          const checked = rows.map((r) => ({ ...r, errors: [] as RowError[] }));
          await findRegistered(trx, checked);
          for (const r of checked) {
            if (!r.errors.length) continue;
            problemCount++;
            for (const e of r.errors) if (problems.length < MAX_STORED_ERRORS) problems.push(e);
          }
          // Once a row fails the transaction is lost anyway: only finish checking, to report every row.
          if (problemCount === 0) await insertChunk(rows);
        };

        // Two chunks in flight: while the database executes one chunk's statements, this
        // process prepares the next one's (MySQL; SQLite's driver is synchronous anyway).
        // The connection runs the statements in the order they were sent.
        const launched: Array<Promise<void>> = [];
        let previous: Promise<void> = Promise.resolve();
        let processed = 0;
        const launch = async (rows: PreparedRow[]) => {
          const work = processChunk(rows);
          launched.push(work.catch(() => {}));
          await previous;
          previous = work.then(() => {
            processed += rows.length;
            return this.progress(id, processed, heartbeat, onProgress);
          });
          previous.catch(() => {}); // handled when awaited; meanwhile not an unhandled rejection
        };
        try {
          let chunk: PreparedRow[] = [];
          for await (const r of readPrepared(preparedPath(file))) {
            chunk.push(r);
            if (chunk.length >= CHUNK) {
              await launch(chunk);
              chunk = [];
            }
          }
          if (chunk.length) await launch(chunk);
          await previous;
        } finally {
          // No statement may still be on its way when the transaction ends.
          await Promise.all(launched);
          await previous.catch(() => {});
        }

        if (problemCount > 0) {
          throw new RowsChangedError(
            `${fmt(problemCount)} ${problemCount === 1 ? "row that was" : "rows that were"} valid at the check ${
              problemCount === 1 ? "is" : "are"
            } not any more (see below). Nothing was imported: check the file again, then import.`,
          );
        }
        if (imported !== row.valid_rows) {
          throw new RowsChangedError(
            `The check found ${fmt(row.valid_rows)} valid rows but ${fmt(imported)} were found to import. Nothing was imported: check the file again.`,
          );
        }
        await updateImport(trx, id, {
          state: "imported",
          processed_rows: imported,
          imported_rows: imported,
          report: toDbJson({ ...report, createdGroups, memberships }),
          error: null,
          updated_at: nowMs(),
        });
      });
    } catch (err) {
      await this.fail(id, actor, "import", err, report && { ...report, applyErrors: problems, applyErrorCount: problemCount });
      return this.get(id);
    }
    // The people are in the database now; the files with their data are not needed any more.
    await unlink(preparedPath(file)).catch(() => {});
    await unlink(file).catch(() => {});
    await this.events.emit("users.imported", {
      actor,
      summary: `Imported ${fmt(imported)} ${imported === 1 ? "person" : "people"} from import #${id}${
        createdGroups ? `, created ${fmt(createdGroups)} ${createdGroups === 1 ? "group" : "groups"}` : ""
      }${memberships ? `, ${fmt(memberships)} group memberships` : ""}`,
      target: { type: "import", id },
      importId: id,
      count: imported,
    });
    return this.get(id);
  }

  // --- shared --------------------------------------------------------------------------

  /** Reports progress: in memory, to the CLI's counter and, when `heartbeat`, in the imports row for other instances. */
  private async progress(id: number, processed: number, heartbeat: boolean, onProgress?: (p: Progress) => void): Promise<void> {
    const live = this.live.get(id);
    if (live) {
      live.processed = processed;
      live.total = Math.max(live.total, processed);
    }
    if (live) onProgress?.({ phase: live.phase, processed, total: live.total });
    if (heartbeat) await updateImport(this.db, id, { processed_rows: processed, updated_at: nowMs() });
  }

  /** Runs `work` as this process's live import `id`, so that progress and liveness are known here. */
  private track<T>(id: number, phase: Progress["phase"], total: number, work: () => Promise<T>): Promise<T> {
    const live: Live = { phase, processed: 0, total, done: Promise.resolve() };
    this.live.set(id, live);
    const done = (async () => {
      try {
        return await work();
      } finally {
        if (this.live.get(id) === live) this.live.delete(id);
      }
    })();
    live.done = done;
    return done;
  }

  /** Records a check or import that broke off; the transaction has rolled back, so nothing was imported. */
  private async fail(
    id: number,
    actor: Actor,
    what: "check" | "import",
    err: unknown,
    report: ImportReport | null,
  ): Promise<void> {
    const message = explainFailure(what, err);
    try {
      await updateImport(this.db, id, {
        state: "failed",
        error: message.slice(0, 500),
        ...(report ? { report: toDbJson(report) } : {}),
        updated_at: nowMs(),
      });
    } catch {
      // The database is away: the import stays "running" until it is found stale.
    }
    await this.events.emit("import.failed", {
      actor,
      summary: `Import #${id} failed during the ${what}; nothing was imported (${failureReason(err)})`,
      target: { type: "import", id },
      importId: id,
    });
  }

  private async auditRefusal(err: unknown, actor: Actor, id: number | null): Promise<void> {
    const reason =
      err instanceof FileRefusedError ? err.reason : err instanceof PayloadTooLargeError ? "larger than 10 MB" : null;
    if (!reason) return;
    await this.events.emit("import.refused", {
      actor,
      summary: id ? `Refused import #${id}: ${reason}` : `Refused an import file: ${reason}`,
      ...(id ? { target: { type: "import", id } } : {}),
    });
  }

  private async sweepStale(onlyId?: number): Promise<void> {
    const now = nowMs();
    try {
      // Imports running in this process are alive even when they cannot report (SQLite's import).
      await markStale(this.db, now - STALE_MS, now, onlyId, [...this.live.keys()]);
    } catch {
      // Another process holds the database (SQLite): try again at the next read.
    }
  }

  /**
   * Removes the files (personal data) of imports left unimported for 7 days and marks them
   * `expired`. Runs at each upload; a scheduled job may call it too.
   */
  async pruneAbandoned(): Promise<void> {
    const now = nowMs();
    for (const row of await waitingSince(this.db, now - KEEP_FILES_MS)) {
      if (this.live.has(row.id)) continue;
      const file = this.filePath(row);
      await unlink(preparedPath(file)).catch(() => {});
      await unlink(file).catch(() => {});
      await claimImport(this.db, row.id, WAITING_STATES, {
        state: "expired",
        error: "The file was removed after 7 days without being imported; upload it again.",
        updated_at: now,
      });
    }
  }

  private async requireRow(id: number): Promise<ImportRow> {
    const row = await findImport(this.db, id);
    if (!row) throw new NotFoundError(`Import #${id} does not exist.`);
    return row;
  }

  private filePath(row: ImportRow): string {
    return path.resolve(this.uploadsDir, row.file_path);
  }

  private toView(row: ImportRow): ImportView {
    const running = RUNNING_STATES.includes(row.state);
    // While the state is still running the memory has the newer progress; after, the row is final.
    const live = running ? this.live.get(row.id) : undefined;
    return {
      id: row.id,
      filename: row.filename,
      state: row.state,
      running,
      totalRows: live ? live.total : row.total_rows,
      processedRows: live ? live.processed : row.processed_rows,
      validRows: row.valid_rows,
      invalidRows: row.invalid_rows,
      importedRows: row.imported_rows,
      report: fromDbJson<ImportReport | null>(row.report, null),
      error: row.error,
      createdBy: row.created_by,
      createdAt: fromDbTime(row.created_at) as string,
      updatedAt: fromDbTime(row.updated_at) as string,
      canApply: row.state === "checked" && row.valid_rows > 0,
      canRecheck: ["checked", "failed", "interrupted"].includes(row.state),
    };
  }
}

function progressText(p: Progress): string {
  if (p.phase === "checking") return `Checked ${fmt(p.processed)} of about ${fmt(Math.max(p.total, p.processed))} rows`;
  return `Imported ${fmt(p.processed)} of ${fmt(p.total)} people`;
}

function stateConflict(id: number, state: ImportState): string {
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

/** The name as uploaded, without any path, control characters or excess length. */
function cleanFilename(name: string): string {
  const base = path.posix
    .basename(String(name ?? "").replace(/\\/g, "/"))
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .trim();
  return (base || "upload.csv").slice(0, 191);
}
