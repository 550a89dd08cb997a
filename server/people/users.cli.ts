import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { userInfo } from "node:os";
import path from "node:path";
import { type Args, UsageError } from "../core/cli/args.js";
import { PayloadTooLargeError, ValidationError } from "../core/errors.js";
import { type Actor, cliActor } from "../core/events.js";
import type { CliCommand } from "../core/feature.js";
import { FIELD_HELP, type ImportField } from "./import/columns.js";
import { fmt } from "./import/count-format.js";
import { MAX_BYTES, tooLarge } from "./import/csv-read.js";
import { matchedBy } from "./import/import-choices.js";
import type { ImportChoices, ImportsService, ImportView, Progress } from "./import/imports.service.js";
import type { RowError } from "./import/row-check.js";
import { parseListQuery } from "./list-query.schema.js";

/** Problems listed on stderr; the rest are counted. */
const SHOWN_PROBLEMS = 50;

const out = (s: string) => process.stdout.write(`${s}\n`);
const err = (s: string) => process.stderr.write(`${s}\n`);

function actor(): Actor {
  let who = "";
  try {
    who = userInfo().username;
  } catch {
    // no passwd entry (containers): the label alone
  }
  return cliActor(who ? `command line (${who})` : "command line");
}

/** `\rChecked 12,000 of about 50,000 rows` on a terminal; nothing when stderr is a file or pipe. */
function progressCounter() {
  const tty = process.stderr.isTTY === true;
  let shown = false;
  return {
    update: (p: Progress) => {
      if (!tty) return;
      const verb = p.phase === "checking" ? "Checked" : "Imported";
      const of = p.phase === "checking" ? "of about" : "of";
      process.stderr.write(`\r${verb} ${fmt(p.processed)} ${of} ${fmt(Math.max(p.total, p.processed))} rows\u001b[K`);
      shown = true;
    },
    clear: () => {
      if (shown) process.stderr.write("\r\u001b[K");
      shown = false;
    },
  };
}

function listProblems(title: string, errors: RowError[], total: number, imp: ImportView) {
  if (!total) return;
  const header = new Map<string, string>();
  for (const c of imp.report?.columns ?? []) if (c.field && !header.has(c.field)) header.set(c.field, c.header);
  err(`${title}:`);
  for (const e of errors.slice(0, SHOWN_PROBLEMS)) {
    const label = e.field === "row" ? "row" : (header.get(e.field) ?? FIELD_HELP[e.field as ImportField]?.label ?? e.field);
    err(`  line ${e.line}${e.name ? ` (${e.name})` : ""}, ${label}: ${e.message}`);
  }
  if (total > Math.min(errors.length, SHOWN_PROBLEMS))
    err(`  … and ${fmt(total - Math.min(errors.length, SHOWN_PROBLEMS))} more`);
}

const USAGE = "users import FILE.csv|FILE.xlsx [--dry-run] [--phones drop|consented] [--matches update|skip|add]";

/** The check's questions, once each, with the flags that answer them. */
function listQuestions(imp: ImportView) {
  const report = imp.report;
  const phones = report?.phonesWithoutConsent ?? 0;
  if (phones) {
    err(
      `${fmt(phones)} ${phones === 1 ? "person has" : "people have"} a phone number and the file has no consent column: ` +
        "--phones drop imports them without phone numbers; --phones consented records that you confirmed everyone consented.",
    );
  }
  const count = report?.matchCount ?? 0;
  if (count) {
    err(
      `${fmt(count)} ${count === 1 ? "person is" : "people are"} already registered: --matches update updates them ` +
        "(blank cells keep what is registered), --matches skip leaves them, --matches add adds them anyway (only for a match by name alone).",
    );
    for (const m of (report?.matches ?? []).slice(0, SHOWN_PROBLEMS))
      err(`  line ${m.line} (${m.name}) is ${m.match.name} (#${m.match.id}), same ${matchedBy(m.match.by)}`);
    if (count > SHOWN_PROBLEMS) err(`  … and ${fmt(count - SHOWN_PROBLEMS)} more`);
  }
}

function choiceFlags(args: Args): ImportChoices {
  const phones = args.options.phones;
  const matches = args.options.matches;
  if (phones !== undefined && phones !== "drop" && phones !== "consented")
    throw new UsageError("--phones must be drop or consented");
  if (matches !== undefined && matches !== "update" && matches !== "skip" && matches !== "add")
    throw new UsageError("--matches must be update, skip or add");
  return { ...(phones ? { phones } : {}), ...(matches ? { matchAll: matches } : {}) };
}

/**
 * `users import FILE.csv|FILE.xlsx [--dry-run] [--phones …] [--matches …]`: checks every
 * row, lists the problems and the questions on stderr and, unless it is a dry run, imports
 * the valid rows in one transaction with the flags' answers. Prints the one-line summary on
 * stdout. Exit 1 when the file is refused, a question is unanswered or nothing could be imported.
 */
async function usersImport(imports: ImportsService, args: Args): Promise<number> {
  const file = args.positional[0];
  if (!file) throw new UsageError(`users import needs the file: ${USAGE}`);
  const dryRun = args.options["dry-run"] === true;
  const choices = choiceFlags(args);
  try {
    const info = await stat(file);
    if (!info.isFile()) {
      err(`${file} is not a file.`);
      return 1;
    }
    if (info.size > MAX_BYTES) {
      err(`${file}: ${tooLarge().message}`);
      return 1;
    }
  } catch (e) {
    err(`Cannot read ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
    return 1;
  }

  const who = actor();
  const progress = progressCounter();
  let imp: ImportView;
  try {
    imp = await imports.create(createReadStream(file), path.basename(file), who);
  } catch (e) {
    if (e instanceof ValidationError) {
      err(`${file} was refused: ${Object.values(e.fields)[0] ?? e.message}`);
      return 1;
    }
    if (e instanceof PayloadTooLargeError) {
      err(`${file}: ${e.message}`);
      return 1;
    }
    throw e;
  }

  try {
    imp = await imports.check(imp.id, who, progress.update);
  } finally {
    progress.clear();
  }
  if (imp.state !== "checked" || !imp.report) {
    err(`${file} was ${imp.state === "refused" ? "refused" : "not checked"} (import #${imp.id}): ${imp.error ?? imp.state}`);
    return 1;
  }
  const report = imp.report;
  const ignored = report.columns.filter((c) => !c.field && c.header).map((c) => `"${c.header}"`);
  if (ignored.length) err(`Ignored columns (not known): ${ignored.join(", ")}`);
  listProblems(
    `${fmt(imp.invalidRows)} ${imp.invalidRows === 1 ? "row has" : "rows have"} problems and ${imp.invalidRows === 1 ? "is" : "are"} left out`,
    report.errors,
    report.errorCount,
    imp,
  );
  const groups = report.groupsToCreateCount;
  listQuestions(imp);

  if (dryRun) {
    out(
      `Dry run of import #${imp.id}: ${fmt(imp.totalRows)} rows, ${fmt(imp.validRows)} valid, ${fmt(imp.invalidRows)} with problems${
        report.matchCount ? `, ${fmt(report.matchCount)} already registered` : ""
      }${groups ? `, ${fmt(groups)} new ${groups === 1 ? "group" : "groups"}` : ""}; nothing was imported.`,
    );
    return 0;
  }
  if (imp.validRows === 0) {
    err(`Nothing imported (import #${imp.id}): no row of ${file} is valid.`);
    return 1;
  }

  try {
    imp = await imports.apply(imp.id, who, progress.update, choices);
  } catch (e) {
    if (e instanceof ValidationError) {
      err(`Nothing imported (import #${imp.id}): ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    progress.clear();
  }
  if (imp.state !== "imported") {
    err(`Nothing was imported (import #${imp.id}): ${imp.error ?? imp.state}`);
    if (imp.report?.applyErrors)
      listProblems("Rows that changed since the check", imp.report.applyErrors, imp.report.applyErrorCount ?? 0, imp);
    return 1;
  }
  const created = imp.report?.createdGroups ?? 0;
  const updated = imp.report?.updatedRows ?? 0;
  const skipped = imp.report?.skippedRows ?? 0;
  out(
    `Imported ${fmt(imp.importedRows)} ${imp.importedRows === 1 ? "person" : "people"} (import #${imp.id})${
      updated ? `; ${fmt(updated)} already registered updated` : ""
    }${skipped ? `; ${fmt(skipped)} already registered skipped` : ""}${
      imp.invalidRows ? `; ${fmt(imp.invalidRows)} ${imp.invalidRows === 1 ? "row" : "rows"} with problems left out` : ""
    }${created ? `; ${fmt(created)} ${created === 1 ? "group" : "groups"} created` : ""}.`,
  );
  return 0;
}

/** `users export [--status S] [--group ID] [--q TEXT] [--department D] [--site S] [--delimiter ;] [--no-bom]`: CSV on stdout. */
async function usersExport(imports: ImportsService, args: Args): Promise<number> {
  const opt = (k: string) => {
    const v = args.options[k];
    if (v === true) throw new UsageError(`--${k} needs a value`);
    return v;
  };
  const {
    page: _p,
    pageSize: _s,
    sort: _o,
    dir: _d,
    ...filter
  } = parseListQuery({
    q: opt("q"),
    status: opt("status"),
    group: opt("group"),
    department: opt("department"),
    site: opt("site"),
  });
  const delimiter = opt("delimiter") ?? ",";
  if (delimiter !== "," && delimiter !== ";") throw new UsageError('--delimiter must be "," or ";"');
  try {
    const count = await imports.exportCsv(filter, actor(), process.stdout, {
      delimiter,
      bom: args.options["no-bom"] !== true,
    });
    if (process.stderr.isTTY) err(`Exported ${fmt(count)} ${count === 1 ? "person" : "people"}.`);
  } catch (e) {
    // The reader went away (`| head`): what it wanted has been written.
    if ((e as NodeJS.ErrnoException).code === "EPIPE") return 0;
    throw e;
  }
  return 0;
}

/** `cli users import` and `cli users export`. */
export function usersCommands(imports: ImportsService): Record<string, CliCommand> {
  return {
    "users import": (args) => usersImport(imports, args),
    "users export": (args) => usersExport(imports, args),
  };
}
