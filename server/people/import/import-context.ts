import path from "node:path";
import type { Knex } from "knex";
import { NotFoundError } from "../../core/errors.js";
import type { EventBus } from "../../core/events.js";
import type { WorkQueue } from "../../core/work/work-queue.js";
import type { OrganizationDefaults } from "../users.types.js";
import type { LiveImports } from "./import-progress.js";
import { findImport, type ImportRow } from "./imports.repo.js";

/** What the upload, the check, the import and the sweeps share. */
export type ImportContext = {
  db: Knex;
  events: EventBus;
  settings: OrganizationDefaults;
  live: LiveImports;
  /** Who runs which import: every claim and every write of a run goes through it (imports.repo.ts). */
  queue: WorkQueue;
  /** The rows keep their file's path relative to this folder. */
  uploadsDir: string;
};

export async function requireImport(db: Knex, id: number): Promise<ImportRow> {
  const row = await findImport(db, id);
  if (!row) throw new NotFoundError(`Import #${id} does not exist.`);
  return row;
}

export function importFile(ctx: ImportContext, row: ImportRow): string {
  return path.resolve(ctx.uploadsDir, row.file_path);
}
