import { existsSync } from "node:fs";
import { fromDbJson, nowMs, toDbJson } from "../../core/db/convert.js";
import { dialectOf } from "../../core/db/knex.js";
import { ConflictError } from "../../core/errors.js";
import type { Actor } from "../../core/events.js";
import { message } from "../../core/message.js";
import { groupIdsByNames, insertGroup, insertMemberships } from "../groups.repo.js";
import { idsFromImport, insertImportedUsers } from "../users.repo.js";
import { fmt } from "./count-format.js";
import { decisionFor, requireChoices } from "./import-choices.js";
import { type ImportContext, importFile, requireImport } from "./import-context.js";
import { RowsChangedError, recordFailure } from "./import-failure.js";
import { CHUNK, ImportTakenOverError, type Progress } from "./import-progress.js";
import type { ImportChoices } from "./import-report.js";
import { type ImportReport, MAX_STORED_ERRORS } from "./import-report.js";
import { type PhoneIn, updateFromRow } from "./import-update.js";
import { stateConflict } from "./import-view.js";
import { claimImport, finishImport, type ImportRow, storedError } from "./imports.repo.js";
import { preparedPath, readPrepared } from "./prepared-rows.js";
import { findMatches, type PreparedRow, type RowError, type RowMatch, rowError } from "./row-check.js";
import { removeUpload } from "./upload-store.js";

/**
 * Moves import `id` to `importing` if it may be imported now and nobody runs it, under a
 * lease: the row and the claim token. The conflict says why not.
 */
export async function claimApply(
  ctx: ImportContext,
  id: number,
  leaseMs: number,
  choices: ImportChoices = {},
): Promise<{ row: ImportRow; token: string }> {
  const row = await requireImport(ctx.db, id);
  if (row.state !== "checked") throw new ConflictError(stateConflict(id, row.state));
  const checked = fromDbJson<ImportReport | null>(row.report, null);
  if (checked) requireChoices(checked, choices);
  if (row.valid_rows === 0)
    throw new ConflictError(`No row of import #${id} can be imported: correct the file and upload it again.`);
  if (!existsSync(preparedPath(importFile(ctx, row)))) {
    throw new ConflictError(`The checked rows of import #${id} are no longer on this server; upload the file again.`);
  }
  const token = await claimImport(
    ctx.queue,
    id,
    ["checked"],
    { state: "importing", processed_rows: 0, ...storedError(null), updated_at: nowMs() },
    leaseMs,
  );
  if (!token) throw new ConflictError(`Import #${id} has just been started by someone else.`);
  return { row, token };
}

/**
 * Takes the rows the dry run found valid, checks them again against the database as it
 * is now, and inserts them with their groups and memberships in one transaction. If any
 * of them no longer passes, nothing is imported and the report says which and why.
 */
export async function runApply(
  ctx: ImportContext,
  row: ImportRow,
  token: string,
  actor: Actor,
  choices: ImportChoices,
  onProgress?: (p: Progress) => void,
): Promise<void> {
  const id = row.id;
  let updated = 0;
  let skipped = 0;
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
    // Recorded on each person whose consent rests on the admin's word rather than a column.
    const confirmedBy = `${actor.label}, confirming that everyone in import #${id} consented`.slice(0, 191);
    const phoneOf = (r: PreparedRow): PhoneIn => {
      if (!r.user.phone) return null;
      if (!r.phoneNeedsConsent) return { phone: r.user.phone, consentBy };
      return choices.phones === "consented" ? { phone: r.user.phone, consentBy: confirmedBy } : null;
    };
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
          rows.map((r) => {
            const phone = phoneOf(r);
            return {
              ...r.user,
              phone: phone?.phone ?? null,
              phone_consent: Boolean(phone),
              phone_consent_at: phone ? now : null,
              phone_consent_by: phone?.consentBy ?? null,
              status: "pending",
              created_at: now,
              updated_at: now,
              joined_at: null,
              deactivated_at: null,
            };
          }),
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

      const updateChunk = async (rows: Array<{ r: PreparedRow; id: number }>) => {
        if (!rows.length) return;
        await resolveGroups(rows.map((x) => x.r));
        for (const { r, id: personId } of rows) {
          const gids = r.groups.map((g) => groupIds.get(g.key) as number);
          if (await updateFromRow(trx, personId, r, phoneOf(r), gids, now)) updated++;
          else {
            problemCount++;
            if (problems.length < MAX_STORED_ERRORS)
              problems.push(rowError(r.line, "row", message("imports:problem.matchRemoved")));
          }
        }
      };

      const processChunk = async (rows: PreparedRow[]) => {
        const checked = rows.map((r) => ({
          line: r.line,
          user: r.user,
          errors: [] as RowError[],
          name: `${r.user.first_name} ${r.user.last_name}`,
          match: undefined as RowMatch | undefined,
        }));
        await findMatches(trx, checked);
        // People this import inserted: a later row with the same name is not "someone registered".
        // Asked of the database: the chunk before may be inserting them while this one is checked.
        const ours = await idsFromImport(
          trx,
          id,
          checked.flatMap((c) => (c.match ? [c.match.id] : [])),
        );
        const inserts: PreparedRow[] = [];
        const updates: Array<{ r: PreparedRow; id: number }> = [];
        checked.forEach((c, i) => {
          const r = rows[i] as PreparedRow;
          if (c.match && ours.has(c.match.id) && !r.match) c.match = undefined;
          if (!c.errors.length && c.match?.id !== r.match?.id) {
            c.errors.push(
              rowError(
                r.line,
                "row",
                r.match
                  ? message("imports:problem.matchChanged", {
                      was: r.match.name,
                      now: c.match ? "yes" : "no",
                      person: c.match?.name ?? "",
                    })
                  : message("imports:problem.matchNew", { person: c.match?.name ?? "" }),
                c.name,
              ),
            );
          }
          if (c.errors.length) {
            problemCount++;
            for (const e of c.errors) if (problems.length < MAX_STORED_ERRORS) problems.push(e);
            return;
          }
          const decision = r.match ? decisionFor(choices, r.line) : "add";
          if (decision === "add") inserts.push(r);
          else if (decision === "update") updates.push({ r, id: r.match?.id as number });
          else skipped++;
        });
        // Once a row fails the transaction is lost anyway: only finish checking, to report every row.
        if (problemCount === 0) {
          if (inserts.length) await insertChunk(inserts);
          await updateChunk(updates);
        }
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
      if (imported + updated + skipped !== row.valid_rows) {
        throw new RowsChangedError(
          `The check found ${fmt(row.valid_rows)} valid rows but ${fmt(imported + updated + skipped)} were found to import. Nothing was imported: check the file again.`,
        );
      }
      // In the transaction and only while this run holds the import: a run taken over commits nothing.
      const held = await finishImport(
        ctx.queue,
        token,
        id,
        {
          state: "imported",
          processed_rows: row.valid_rows,
          imported_rows: imported,
          report: toDbJson({
            ...report,
            createdGroups,
            memberships,
            updatedRows: updated,
            skippedRows: skipped,
            choices,
            ...(choices.phones === "consented" && report.phonesWithoutConsent ? { consentConfirmedBy: confirmedBy } : {}),
          }),
          ...storedError(null),
          updated_at: nowMs(),
        },
        trx,
      );
      if (!held) throw new ImportTakenOverError(`Import #${id} was taken over after a silence; this run stops.`);
    });
  } catch (err) {
    await recordFailure(
      ctx,
      id,
      token,
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
      updated ? `, updated ${fmt(updated)} already registered` : ""
    }${skipped ? `, skipped ${fmt(skipped)} already registered` : ""}${
      choices.phones === "consented" && report?.phonesWithoutConsent
        ? `; ${actor.label} confirmed that the ${fmt(report.phonesWithoutConsent)} people with a phone consented`
        : choices.phones === "drop" && report?.phonesWithoutConsent
          ? `; ${fmt(report.phonesWithoutConsent)} phone numbers left out (no consent column)`
          : ""
    }${
      createdGroups ? `, created ${fmt(createdGroups)} ${createdGroups === 1 ? "group" : "groups"}` : ""
    }${memberships ? `, ${fmt(memberships)} group memberships` : ""}`,
    target: { type: "import", id },
    importId: id,
    count: imported,
  });
}
