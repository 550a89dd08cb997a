import type { Knex } from "knex";
import type { TFunction } from "../../core/i18n/index.js";
import { isMessage, type Message, message, say } from "../../core/message.js";
import { issueMessage } from "../../core/validation.js";
import { groupNameSchema } from "../groups.schema.js";
import { fold, normalizeEmail, normalizeEmployeeId, normalizeGroupName, sortName } from "../normalize.js";
import { existingValues, fullNames, idsBySortName, type UserRow } from "../users.repo.js";
import { parseUserInput } from "../users.schema.js";
import type { ColumnMap, ImportField } from "./columns.js";
import type { CsvRow } from "./csv-read.js";

/**
 * One problem of one row; `field` is the person field (or `row` for the row as a whole);
 * `name` is the person as the row names them, so that the admin can find them.
 */
export type RowError = {
  line: number;
  field: string;
  /** English, as the API and old reports have it. */
  message: string;
  name?: string;
  /** The message as a locale key with its values (reports since the page speaks Spanish). */
  key?: string;
  values?: Record<string, unknown>;
};

/** A row problem from a message: its English text, with its key and values kept beside it. */
export function rowError(line: number, field: string, m: Message, name?: string): RowError {
  return { line, field, message: m.text, ...(name ? { name } : {}), key: m.key, ...(m.values ? { values: m.values } : {}) };
}

/**
 * A stored row problem in the reader's language. Reports written before problems had keys
 * show their English as stored. A group's problem quotes the name check's own message.
 */
export function sayRowError(t: TFunction | undefined, e: RowError): string {
  if (!e.key) return e.message;
  const values = { ...e.values };
  if (isMessage(values.said)) values.problem = say(t, values.said);
  return say(t, { key: e.key, values, text: e.message });
}

/** A registered person a row is taken to be, and by which identifier ("name": same full name only). */
export type RowMatch = { id: number; by: "employeeId" | "email" | "phone" | "name"; name: string };

/** A checked person as stored between the dry run and the import; times and consent author are set when imported. */
export type PreparedUser = Omit<
  UserRow,
  "status" | "created_at" | "updated_at" | "phone_consent_at" | "phone_consent_by" | "joined_at" | "deactivated_at"
> & { import_row: number };

export type PreparedRow = {
  line: number;
  user: PreparedUser;
  /** Has a phone but the file has no consent column: the import's phone choice decides. */
  phoneNeedsConsent?: boolean;
  /** The fields the file gives a value for: an update changes only these. */
  given?: string[];
  /** The registered person this row is, found by the check; the import's choice decides. */
  match?: RowMatch;
  /** Distinct groups of the row: normalized key and the name as first written. */
  groups: Array<{ key: string; name: string }>;
};

export type CheckedRow = {
  line: number;
  index: number;
  /** The person to import; null when a field is invalid. */
  user: PreparedUser | null;
  groups: PreparedRow["groups"];
  errors: RowError[];
  name: string;
  phoneNeedsConsent: boolean;
  given: string[];
  match?: RowMatch;
};

type KeyField = "email" | "phone" | "employeeId";
const KEY_COLUMNS = {
  email: "email_normalized",
  phone: "phone",
  employeeId: "employee_id_normalized",
} as const satisfies Record<KeyField, keyof PreparedUser>;
const KEY_FIELDS = Object.keys(KEY_COLUMNS) as KeyField[];

const CONSENT: Record<string, boolean> = Object.fromEntries([
  ...["yes", "y", "si", "s", "true", "1", "x", "on", "ok", "verdadero", "✓", "✔"].map((k) => [k, true]),
  ...["no", "n", "false", "0", "off", "falso", "-"].map((k) => [k, false]),
]);
const LANGUAGE: Record<string, string> = Object.fromEntries([
  ...["es", "esp", "espanol", "spanish", "castellano", "eses"].map((k) => [k, "es"]),
  ...["en", "eng", "english", "ingles", "engb", "enus"].map((k) => [k, "en"]),
]);
const MAX_GROUPS_PER_ROW = 200;
/** Fields an update of a registered person takes from the file when the cell is not blank. */
const IMPORT_GIVEN: ImportField[] = ["firstName", "lastName", "email", "phone", "employeeId", "department", "site", "language"];

/**
 * Checks the rows of one import, the same way for the dry run and for the apply: every
 * field through the one person schema, the consent rule, groups, duplicates within the
 * file (against every earlier row) and, per chunk, against the database.
 */
export class RowChecker {
  private seen: Record<KeyField, Map<string, number>> = { email: new Map(), phone: new Map(), employeeId: new Map() };
  // A file names the same few groups on thousands of rows: each name is validated once.
  private groupCache = new Map<string, { key: string; name: string } | { error: Message }>();

  constructor(
    private map: ColumnMap,
    private defaultCountry: string,
    /** The organization's language, for rows without one. */
    private defaultLanguage = "en",
  ) {}

  inspect({ line, index, cells }: CsvRow): CheckedRow {
    const errors: RowError[] = [];
    const cell = (f: ImportField): string | undefined => {
      const i = this.map.byField[f];
      return i === undefined ? undefined : clean(cells[i] ?? "");
    };
    const name = [cell("firstName"), cell("lastName"), cell("lastName2")]
      .filter((s) => s)
      .join(" ")
      .slice(0, 120);
    const fail = (field: string, m: Message) => errors.push(rowError(line, field, m, name));
    const given = IMPORT_GIVEN.filter((f) => cell(f));

    const width = this.map.columns.length;
    if (cells.length > width && cells.slice(width).some((c) => c.trim() !== "")) {
      fail("row", message("imports:problem.tooManyValues", { values: cells.length, columns: width }));
    }

    let consent = false;
    const consentCell = cell("phoneConsent");
    if (consentCell) {
      const value = CONSENT[fold(consentCell)];
      if (value === undefined) fail("phoneConsent", message("imports:problem.consentValue"));
      else consent = value;
    }
    const language = cell("language");
    const lastName = [cell("lastName"), cell("lastName2")].filter((s) => s).join(" ");
    const parsed = parseUserInput(
      {
        firstName: cell("firstName") ?? "",
        lastName,
        email: cell("email"),
        phone: cell("phone"),
        phoneConsent: consent,
        employeeId: cell("employeeId"),
        department: cell("department"),
        site: cell("site"),
        language: language ? (LANGUAGE[fold(language).replace(/[^a-z]/g, "")] ?? language) : this.defaultLanguage,
      },
      this.defaultCountry,
      this.defaultLanguage,
    );
    if (!parsed.ok) for (const [field, m] of Object.entries(parsed.messages)) fail(field, m);

    const groups: CheckedRow["groups"] = [];
    const groupCell = cell("groups");
    if (groupCell) {
      const seenGroups = new Set<string>();
      for (const part of groupCell.split(/[|,]/)) {
        const name = part.trim();
        if (!name) continue;
        const group = this.group(name);
        if ("error" in group) {
          fail(
            "groups",
            message("imports:problem.group", { name: name.slice(0, 40), problem: group.error.text, said: group.error }),
          );
          continue;
        }
        if (seenGroups.has(group.key)) continue;
        seenGroups.add(group.key);
        groups.push(group);
      }
      if (groups.length > MAX_GROUPS_PER_ROW)
        fail("groups", message("imports:problem.tooManyGroups", { max: MAX_GROUPS_PER_ROW }));
    }

    const base = { line, index, groups, errors, name, given, phoneNeedsConsent: false };
    if (!parsed.ok) return { ...base, user: null };
    const input = parsed.value;
    // Without a consent column the file says nothing about consent: that is one question
    // about the whole file (asked once at the import), not a problem of each row.
    const phoneNeedsConsent = Boolean(input.phone && this.map.byField.phoneConsent === undefined);
    if (input.phone && !consent && !phoneNeedsConsent && !errors.some((e) => e.field === "phoneConsent")) {
      fail("phoneConsent", message("imports:problem.consentMissing"));
    }

    const withPhone = Boolean(input.phone && (consent || phoneNeedsConsent));
    const user: PreparedUser = {
      first_name: input.firstName,
      last_name: input.lastName,
      email: input.email,
      email_normalized: input.email ? normalizeEmail(input.email) : null,
      phone: withPhone ? input.phone : null,
      phone_consent: Boolean(input.phone && consent),
      employee_id: input.employeeId,
      employee_id_normalized: input.employeeId ? normalizeEmployeeId(input.employeeId) : null,
      department: input.department,
      site: input.site,
      language: input.language,
      import_row: line,
    };
    for (const field of KEY_FIELDS) {
      const value = user[KEY_COLUMNS[field]];
      if (!value) continue;
      const earlier = this.seen[field].get(value);
      if (earlier !== undefined) fail(field, message("imports:problem.sameAs", { field, line: earlier }));
      else this.seen[field].set(value, line);
    }
    return { ...base, user, phoneNeedsConsent };
  }

  private group(raw: string): { key: string; name: string } | { error: Message } {
    let known = this.groupCache.get(raw);
    if (!known) {
      const ok = groupNameSchema.safeParse(raw);
      known = ok.success
        ? { key: normalizeGroupName(ok.data), name: ok.data }
        : { error: ok.error.issues[0] ? issueMessage(ok.error.issues[0]) : message("validation:invalid") };
      if (this.groupCache.size < 10_000) this.groupCache.set(raw, known);
    }
    return known;
  }
}

type Matchable = { line: number; user: PreparedUser | null; errors: RowError[]; name?: string; match?: RowMatch };

/**
 * Finds the registered person each row of one chunk is (the db may be the import's
 * transaction): by employee id, then email, then phone, then the same full name. A row whose
 * identifiers belong to two different people cannot be imported and says so.
 */
export async function findMatches(db: Knex, rows: Matchable[]): Promise<void> {
  const hits = new Map<Matchable, Array<{ id: number; by: RowMatch["by"] }>>();
  for (const field of MATCH_ORDER) {
    const column = KEY_COLUMNS[field];
    const values = new Set<string>();
    for (const r of rows) {
      const v = r.user?.[column];
      if (v) values.add(v);
    }
    if (!values.size) continue;
    const existing = await existingValues(db, column, [...values]);
    if (!existing.size) continue;
    for (const r of rows) {
      const v = r.user?.[column];
      const id = v ? existing.get(v) : undefined;
      if (id === undefined) continue;
      const list = hits.get(r) ?? [];
      list.push({ id, by: field });
      hits.set(r, list);
    }
  }
  const byName = rows.filter((r) => r.user && !hits.has(r));
  if (byName.length) {
    const found = await idsBySortName(
      db,
      byName.map((r) => sortName(r.user?.first_name ?? "", r.user?.last_name ?? "")),
    );
    for (const r of byName) {
      const id = found.get(sortName(r.user?.first_name ?? "", r.user?.last_name ?? ""));
      if (id !== undefined) hits.set(r, [{ id, by: "name" }]);
    }
  }
  if (!hits.size) return;
  const names = await fullNames(db, [...new Set([...hits.values()].flat().map((h) => h.id))]);
  const named = (id: number) => names.get(id) ?? `#${id}`;
  for (const [r, list] of hits) {
    const fail = (field: string, m: Message) => r.errors.push(rowError(r.line, field, m, r.name));
    const first = list[0] as { id: number; by: RowMatch["by"] };
    const other = list.find((h) => h.id !== first.id);
    if (other) {
      fail(
        other.by,
        message("imports:problem.twoPeople", {
          first: first.by,
          firstName: named(first.id),
          other: other.by,
          otherName: named(other.id),
        }),
      );
      continue;
    }
    r.match = { id: first.id, by: first.by, name: named(first.id) };
  }
  for (const r of rows)
    if (r.errors.length > 1) r.errors.sort((a, b) => FIELD_ORDER.indexOf(a.field) - FIELD_ORDER.indexOf(b.field));
}
/**
 * Stops two rows of a file from being the same registered person (in file order; `claimed`
 * is kept by the caller across chunks): the later row becomes a problem.
 */
export function claimMatches(rows: Matchable[], claimed: Map<number, number>): void {
  for (const r of rows) {
    if (!r.match) continue;
    const earlier = claimed.get(r.match.id);
    if (earlier === undefined) {
      claimed.set(r.match.id, r.line);
      continue;
    }
    r.errors.push(
      rowError(r.line, "row", message("imports:problem.samePerson", { person: r.match.name, line: earlier }), r.name),
    );
    r.match = undefined;
  }
}

/** Employee id first: it is the one identifier HR never reuses; a shared mailbox or phone is more common. */
const MATCH_ORDER: KeyField[] = ["employeeId", "email", "phone"];

const FIELD_ORDER = [
  "row",
  "firstName",
  "lastName",
  "email",
  "phone",
  "phoneConsent",
  "employeeId",
  "department",
  "site",
  "language",
  "groups",
];

/** A cell as typed: trimmed, and without the apostrophe our export puts before a leading = + - @. */
function clean(value: string): string {
  const v = value.trim();
  return /^'[=+\-@]/.test(v) ? v.slice(1) : v;
}
