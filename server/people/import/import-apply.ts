import { existsSync } from "node:fs";
import { fromDbJson, nowMs, toDbJson } from "../../db/convert.js";
import { dialectOf } from "../../db/knex.js";
import { ConflictError } from "../../errors.js";
import type { Actor } from "../../events.js";
import { groupIdsByNames, insertGroup, insertMemberships } from "../groups.repo.js";
import { insertImportedUsers } from "../users.repo.js";
import { fmt } from "./count-format.js";
import { type ImportContext, importFile, requireImport } from "./import-context.js";
import { RowsChangedError, recordFailure } from "./import-failure.js";
import { CHUNK, type Progress } from "./import-progress.js";
import { type ImportReport, MAX_STORED_ERRORS } from "./import-report.js";
import { stateConflict } from "./import-view.js";
import { claimImport, type ImportRow, updateImport } from "./imports.repo.js";
import { preparedPath, readPrepared } from "./prepared-rows.js";
import { findRegistered, type PreparedRow, type RowError } from "./row-check.js";
import { removeUpload } from "./upload-store.js";

/** Moves import `id` to `importing` if it may be imported now; the conflict says why not. */
export async function claimApply(ctx: ImportContext, id: number): Promise<ImportRow> {
  const row = await requireImport(ctx.db, id);
  if (row.state !== "checked") throw new ConflictError(stateConflict(id, row.state));
  if (row.valid_rows === 0)
    throw new ConflictError(`No row of import #${id} can be imported: correct the file and upload it again.`);
  if (!existsSync(preparedPath(importFile(ctx, row)))) {
    throw new ConflictError(`The checked rows of import #${id} are no longer on this server; upload the file again.`);
  }
  const ok = await claimImport(ctx.db, id, ["checked"], {
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
export async function runApply(
  ctx: ImportContext,
  row: ImportRow,
  actor: Actor,
  onProgress?: (p: Progress) => void,
): Promise<void> {
  const id = row.id;
  const file = importFile(ctx, row);
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
    const heartbeat = dialectOf(ctx.db) === "mysql";

    await ctx.db.transaction(async (trx) => {
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
          return ctx.live.report(id, processed, heartbeat, onProgress);
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
    await recordFailure(
      ctx,
      id,
      actor,
      "import",
      err,
      report && { ...report, applyErrors: problems, applyErrorCount: problemCount },
    );
    return;
  }
  // The people are in the database now; the files with their data are not needed any more.
  await removeUpload(file);
  await ctx.events.emit("users.imported", {
    actor,
    summary: `Imported ${fmt(imported)} ${imported === 1 ? "person" : "people"} from import #${id}${
      createdGroups ? `, created ${fmt(createdGroups)} ${createdGroups === 1 ? "group" : "groups"}` : ""
    }${memberships ? `, ${fmt(memberships)} group memberships` : ""}`,
    target: { type: "import", id },
    importId: id,
    count: imported,
  });
}
