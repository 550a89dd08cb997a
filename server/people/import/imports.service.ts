import path from "node:path";
import type { Readable, Writable } from "node:stream";
import type { Knex } from "knex";
import type { Actor, EventBus } from "../../core/events.js";
import { claimApply, runApply } from "./import-apply.js";
import { claimCheck, runCheck } from "./import-check.js";
import { type ImportContext, requireImport } from "./import-context.js";
import { LiveImports, type Progress } from "./import-progress.js";
import { expireAbandoned, looksStale, STALE_MS, sweepStale } from "./import-sweep.js";
import { createImport } from "./import-upload.js";
import { type ImportStatus, type ImportView, liveStatus, storedStatus, toView } from "./import-view.js";
import { importsQueue, listImports } from "./imports.repo.js";
import type { ExportFilter, ExportOptions } from "./users-csv.js";
import { exportUsers } from "./users-export.js";

export type { Progress } from "./import-progress.js";
export type { ImportChoices } from "./import-report.js";

import type { OrganizationDefaults } from "../users.types.js";
import type { ImportChoices } from "./import-report.js";

export type { ImportStatus, ImportView } from "./import-view.js";

/**
 * CSV import of people: store the upload, check every row (the dry run), then import the
 * rows found valid in one transaction. Progress lives in memory for this process and, where
 * the database allows a second connection, in the imports row for other instances.
 *
 * A check or an import runs under a lease of the one work queue (imports.repo.ts): of two
 * claimers only one runs it; one whose runner stopped reporting is found when its lease has
 * run out and is marked `interrupted`.
 */
export class ImportsService {
  private live: LiveImports;
  private ctx: ImportContext;

  constructor(
    private db: Knex,
    private events: EventBus,
    settings: OrganizationDefaults,
    dataDir: string,
  ) {
    const queue = importsQueue(db);
    this.live = new LiveImports(queue, STALE_MS);
    this.ctx = { db, events, settings, live: this.live, queue, uploadsDir: path.join(dataDir, "uploads") };
  }

  /**
   * Stores an uploaded file (streamed, at most 10 MB) and reads its header line. A file
   * that cannot be imported at all is refused here, with nothing kept. The new import is
   * `checking`; call check() (CLI) or startCheck() (pages) next.
   */
  async create(source: Readable, filename: string, actor: Actor): Promise<ImportView> {
    await this.pruneAbandoned();
    return this.get(await createImport(this.ctx, source, filename, actor));
  }

  async get(id: number): Promise<ImportView> {
    let row = await requireImport(this.db, id);
    if (looksStale(this.ctx, row)) {
      await sweepStale(this.ctx, id);
      row = await requireImport(this.db, id);
    }
    return toView(row, this.live.get(id));
  }

  async recent(limit = 10): Promise<ImportView[]> {
    await sweepStale(this.ctx);
    return (await listImports(this.db, limit)).map((r) => toView(r, this.live.get(r.id)));
  }

  /** For the page's progress bar; answered from memory while this process runs the import. */
  async status(id: number): Promise<ImportStatus> {
    const live = this.live.get(id);
    return live ? liveStatus(live) : storedStatus(await this.get(id));
  }

  /** Resolves when the check or import running in this process for `id` has ended. */
  async settled(id: number): Promise<void> {
    await this.live.settled(id);
  }

  /** The dry run, run to its end: counts, per-row errors, groups to create. Nothing is written but the report. */
  async check(id: number, actor: Actor, onProgress?: (p: Progress) => void): Promise<ImportView> {
    const { row, token } = await claimCheck(this.ctx, id, STALE_MS);
    return this.run(id, token, "checking", row.total_rows, () => runCheck(this.ctx, id, token, actor, onProgress));
  }

  /** The dry run in the background (pages); the claim is awaited so that conflicts surface. */
  async startCheck(id: number, actor: Actor): Promise<void> {
    const { row, token } = await claimCheck(this.ctx, id, STALE_MS);
    void this.run(id, token, "checking", row.total_rows, () => runCheck(this.ctx, id, token, actor)).catch(() => {});
  }

  /** Imports the rows the dry run found valid, all or nothing; returns the import as it ended (imported or failed). */
  async apply(id: number, actor: Actor, onProgress?: (p: Progress) => void, choices: ImportChoices = {}): Promise<ImportView> {
    const { row, token } = await claimApply(this.ctx, id, STALE_MS, choices);
    return this.run(id, token, "importing", row.valid_rows, () => runApply(this.ctx, row, token, actor, choices, onProgress));
  }

  /** `choices`: the answers to the check's questions (phones without consent, people already registered). */
  async startApply(id: number, actor: Actor, choices: ImportChoices = {}): Promise<void> {
    const { row, token } = await claimApply(this.ctx, id, STALE_MS, choices);
    void this.run(id, token, "importing", row.valid_rows, () => runApply(this.ctx, row, token, actor, choices)).catch(() => {});
  }

  /** The people matching a list filter as CSV; audited with the count only, also when the download breaks off. */
  exportCsv(filter: ExportFilter, actor: Actor, out: Writable, opts: ExportOptions = {}): Promise<number> {
    return exportUsers(this.db, this.events, filter, actor, out, opts);
  }

  /**
   * Removes the files (personal data) of imports left unimported for 7 days and marks them
   * `expired`. Runs at each upload; a scheduled job may call it too.
   */
  async pruneAbandoned(): Promise<void> {
    await expireAbandoned(this.ctx);
  }

  /** Runs a claimed check or import as this process's live one; the answer is the import as it ended. */
  private run(
    id: number,
    token: string,
    phase: Progress["phase"],
    total: number,
    step: () => Promise<void>,
  ): Promise<ImportView> {
    return this.live.track(id, token, phase, total, async () => {
      await step();
      return this.get(id);
    });
  }
}
