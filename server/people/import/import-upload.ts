import { unlink } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { nowMs } from "../../core/db/convert.js";
import type { Actor } from "../../core/events.js";
import { mapHeader } from "./columns.js";
import type { ImportContext } from "./import-context.js";
import { auditRefusal } from "./import-failure.js";
import { insertImport } from "./imports.repo.js";
import { readTableHeader } from "./table-read.js";
import { storeUpload } from "./upload-store.js";

/**
 * Stores an uploaded file and reads its header line; returns the id of the new import,
 * `checking` before its first check. A file that cannot be imported at all is refused
 * here, with nothing kept.
 */
export async function createImport(ctx: ImportContext, source: Readable, filename: string, actor: Actor): Promise<number> {
  let stored: Awaited<ReturnType<typeof storeUpload>>;
  try {
    stored = await storeUpload(source, ctx.uploadsDir);
  } catch (err) {
    await auditRefusal(ctx, err, actor, null);
    throw err;
  }
  try {
    mapHeader((await readTableHeader(stored.filePath)).headers);
  } catch (err) {
    await unlink(stored.filePath).catch(() => {});
    await auditRefusal(ctx, err, actor, null);
    throw err;
  }
  const now = nowMs();
  return insertImport(ctx.db, {
    filename: cleanFilename(filename),
    file_path: path.relative(ctx.uploadsDir, stored.filePath),
    state: "checking",
    // An estimate for the progress bar until the check has counted the rows.
    // (A workbook is compressed: about one row per 60 bytes.)
    total_rows: Math.max(1, stored.lineBreaks || Math.round(stored.bytes / 60)),
    created_by: actor.label.slice(0, 191),
    created_at: now,
    updated_at: now,
  });
}

/** The name as uploaded, without any path, control characters or excess length. */
function cleanFilename(name: string): string {
  const base = path.posix
    .basename(String(name ?? "").replace(/\\/g, "/"))
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .trim();
  return (base || "upload").slice(0, 191);
}
