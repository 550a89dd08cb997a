import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { stringify } from "csv-stringify";
import type { Knex } from "knex";
import { iterateUsers } from "../users.repo.js";
import type { ListQuery, User } from "../users.types.js";

/** The export's columns; their names are also import headers, so an export can be imported elsewhere. */
export const EXPORT_HEADER = [
  "id",
  "first name",
  "last name",
  "email",
  "phone",
  "phone consent",
  "employee id",
  "department",
  "site",
  "language",
  "status",
  "groups",
  "created at",
  "joined at",
];

export type ExportFilter = Omit<ListQuery, "page" | "pageSize" | "sort" | "dir">;
export type ExportOptions = { delimiter?: "," | ";"; bom?: boolean };

/**
 * A spreadsheet evaluates a cell that starts with = + - @ as a formula: such text gets an
 * apostrophe in front (OWASP "CSV injection"); the import removes it again.
 */
const safe = (v: string | null): string => (v && /^[=+\-@\t\r]/.test(v) ? `'${v}` : (v ?? ""));

function record(u: User): string[] {
  return [
    String(u.id),
    safe(u.firstName),
    safe(u.lastName),
    safe(u.email),
    // E.164 is + and digits only: no formula, and the + must stay for a re-import.
    u.phone ?? "",
    u.phoneConsent ? "yes" : "no",
    safe(u.employeeId),
    safe(u.department),
    safe(u.site),
    u.language,
    u.status,
    safe(u.groups.map((g) => g.name).join("|")),
    u.createdAt,
    u.joinedAt ?? "",
  ];
}

/**
 * Streams the people matching `filter` as CSV (UTF-8 with a BOM by default, so that Excel
 * shows accents), a thousand at a time with backpressure. Returns how many were written;
 * `written` counts them as they go, for an export that breaks off.
 */
export async function writeUsersCsv(
  db: Knex,
  filter: ExportFilter,
  out: Writable,
  opts: ExportOptions = {},
  written: { count: number } = { count: 0 },
): Promise<number> {
  async function* records() {
    yield EXPORT_HEADER;
    for await (const batch of iterateUsers(db, filter)) {
      for (const u of batch) {
        written.count++;
        yield record(u);
      }
    }
  }
  await pipeline(
    Readable.from(records()),
    stringify({ delimiter: opts.delimiter ?? ",", bom: opts.bom ?? true, record_delimiter: "windows", quoted_match: /[\r\n]/ }),
    out,
    // The caller ends `out`: the export is audited before the download is complete.
    { end: false },
  );
  return written.count;
}
