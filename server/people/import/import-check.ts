import { existsSync } from "node:fs";
import { unlink } from "node:fs/promises";
import { nowMs, toDbJson } from "../../core/db/convert.js";
import { ConflictError } from "../../core/errors.js";
import type { Actor } from "../../core/events.js";
import { groupIdsByNames } from "../groups.repo.js";
import { mapHeader } from "./columns.js";
import { fmt } from "./count-format.js";
import { FileRefusedError } from "./csv-read.js";
import { type ImportContext, importFile, requireImport } from "./import-context.js";
import { auditRefusal, recordFailure } from "./import-failure.js";
import { CHUNK, type Progress } from "./import-progress.js";
import type { ListedMatch } from "./import-report.js";
import { type ImportReport, MAX_LISTED_GROUPS, MAX_STORED_ERRORS } from "./import-report.js";
import { stateConflict } from "./import-view.js";
import { claimImport, finishImport, type ImportRow, type ImportState, storedError } from "./imports.repo.js";
import { PreparedWriter, preparedPath } from "./prepared-rows.js";
import { type CheckedRow, claimMatches, findMatches, type PreparedRow, RowChecker, type RowError } from "./row-check.js";
import { readTableHeader, readTableRows } from "./table-read.js";

/**
 * Moves import `id` to `checking` if it may be checked now and nobody runs it, under a lease:
 * the row and the claim token. The conflict says why not.
 */
export async function claimCheck(ctx: ImportContext, id: number, leaseMs: number): Promise<{ row: ImportRow; token: string }> {
  const row = await requireImport(ctx.db, id);
  if (ctx.live.has(id)) throw new ConflictError(`Import #${id} is already running.`);
  const from: ImportState[] = ["checked", "failed", "interrupted"];
  // A new import is `checking` before its first check starts.
  if (row.state === "checking" && row.processed_rows === 0) from.push("checking");
  if (!from.includes(row.state)) throw new ConflictError(stateConflict(id, row.state));
  if (!existsSync(importFile(ctx, row))) {
    throw new ConflictError(`The file of import #${id} is no longer on this server; upload it again.`);
  }
  const token = await claimImport(
    ctx.queue,
    id,
    from,
    { state: "checking", processed_rows: 0, ...storedError(null), updated_at: nowMs() },
    leaseMs,
  );
  if (!token) throw new ConflictError(`Import #${id} has just been started by someone else.`);
  return { row, token };
}

/**
 * The dry run of a claimed import: counts, per-row errors, groups to create. Nothing is
 * written but the report and the rows found valid (for the import); a check that breaks
 * off ends the import `refused` or `failed`.
 */
export async function runCheck(
  ctx: ImportContext,
  id: number,
  token: string,
  actor: Actor,
  onProgress?: (p: Progress) => void,
): Promise<void> {
  const row = await requireImport(ctx.db, id);
  const file = importFile(ctx, row);
  const prepared = new PreparedWriter(preparedPath(file));
  let previous: Promise<void> = Promise.resolve();
  try {
    const { defaultCountry, defaultLanguage } = await ctx.settings.get();
    const header = await readTableHeader(file);
    const map = mapHeader(header.headers);
    const checker = new RowChecker(map, defaultCountry, defaultLanguage);
    const errors: RowError[] = [];
    const matches: ListedMatch[] = [];
    const claimed = new Map<number, number>();
    let matchCount = 0;
    let nameMatchCount = 0;
    let phonesWithoutConsent = 0;
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
      claimMatches(rows, claimed);
      for (const r of rows) {
        if (r.user && r.errors.length === 0) {
          const p: PreparedRow = { line: r.line, user: r.user, groups: r.groups, given: r.given };
          if (r.phoneNeedsConsent) {
            p.phoneNeedsConsent = true;
            phonesWithoutConsent++;
          }
          if (r.match) {
            p.match = r.match;
            matchCount++;
            if (r.match.by === "name") nameMatchCount++;
            if (matches.length < MAX_STORED_ERRORS) matches.push({ line: r.line, name: r.name, match: r.match });
          }
          ok.push(p);
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
      await ctx.live.report(id, validRows + invalidRows, true, onProgress);
    };
    let chunk: CheckedRow[] = [];
    const flush = async () => {
      const rows = chunk;
      chunk = [];
      const lookup = findMatches(ctx.db, rows);
      lookup.catch(() => {}); // surfaces through `previous`
      await previous;
      previous = lookup.then(() => settle(rows));
      previous.catch(() => {}); // handled when awaited; meanwhile not an unhandled rejection
    };
    for await (const csvRow of readTableRows(file, header)) {
      chunk.push(checker.inspect(csvRow));
      if (chunk.length >= CHUNK) await flush();
    }
    await flush();
    await previous;
    await prepared.close();
    const total = validRows + invalidRows;

    const existing = await groupIdsByNames(ctx.db, [...groups.keys()]);
    const toCreate = [...groups].filter(([key]) => !existing.has(key)).map(([, name]) => name);
    const report: ImportReport = {
      format: header.format,
      delimiter: header.delimiter,
      defaultCountry,
      columns: map.columns.map((c) => ({ header: c.header, field: c.field })),
      errors,
      errorCount,
      groupsToCreate: toCreate.slice(0, MAX_LISTED_GROUPS),
      groupsToCreateCount: toCreate.length,
      memberships,
      phonesWithoutConsent,
      matches,
      matchCount,
      nameMatchCount,
    };
    // Written only while this run holds the import; otherwise whoever took it over has the last word.
    const held = await finishImport(ctx.queue, token, id, {
      state: "checked",
      total_rows: total,
      processed_rows: total,
      valid_rows: validRows,
      invalid_rows: invalidRows,
      imported_rows: 0,
      report: toDbJson(report),
      ...storedError(null),
      updated_at: nowMs(),
    });
    if (!held) return;
    await ctx.events.emit("import.checked", {
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
      const held = await finishImport(ctx.queue, token, id, {
        state: "refused",
        ...storedError(err.wording),
        updated_at: nowMs(),
      });
      if (held) await auditRefusal(ctx, err, actor, id);
    } else {
      await recordFailure(ctx, id, token, actor, "check", err, null);
    }
  }
}
