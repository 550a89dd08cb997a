import type { Writable } from "node:stream";
import type { Knex } from "knex";
import type { Actor, EventBus } from "../../core/events.js";
import { fmt } from "./count-format.js";
import { type ExportFilter, type ExportOptions, writeUsersCsv } from "./users-csv.js";

/** The people matching a list filter as CSV; audited with the count only, also when the download breaks off. */
export async function exportUsers(
  db: Knex,
  events: EventBus,
  filter: ExportFilter,
  actor: Actor,
  out: Writable,
  opts: ExportOptions = {},
): Promise<number> {
  const written = { count: 0 };
  let complete = false;
  try {
    await writeUsersCsv(db, filter, out, opts, written);
    complete = true;
  } finally {
    const used = [
      filter.q ? "search" : null,
      filter.status ? `status ${filter.status}` : null,
      filter.groupId ? `group #${filter.groupId}` : null,
      filter.department ? "department" : null,
      filter.site ? "site" : null,
    ].filter(Boolean);
    const n = written.count;
    await events.emit("users.exported", {
      actor,
      summary: `Exported ${fmt(n)} ${n === 1 ? "person" : "people"} to CSV${used.length ? ` (filtered by ${used.join(", ")})` : ""}${
        complete ? "" : " — the download broke off"
      }`,
      count: n,
    });
  }
  // Only now does the download end: whoever has the file finds the export in the audit trail.
  await new Promise<void>((resolve) => out.end(resolve));
  return written.count;
}
