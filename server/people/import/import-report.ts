import type { ImportField } from "./columns.js";
import type { Delimiter } from "./csv-read.js";
import type { RowError, RowMatch } from "./row-check.js";
import type { FileFormat } from "./table-read.js";

/** What to do with a row that is a registered person: "add" only where the match is by name alone. */
export type MatchDecision = "update" | "skip" | "add";
/** What to do with phone numbers when the file has no consent column. */
export type PhoneDecision = "drop" | "consented";
/** The admin's answers to the questions a check raised; given when importing. */
export type ImportChoices = {
  phones?: PhoneDecision;
  /** For every match without a decision of its own. */
  matchAll?: MatchDecision;
  /** Per file line. */
  matchRows?: Record<number, MatchDecision>;
};
export type ListedMatch = { line: number; name: string; match: RowMatch };

/** Row errors kept in the report; all are counted. */
export const MAX_STORED_ERRORS = 1000;
export const MAX_LISTED_GROUPS = 200;

/** What the check found and, after it, what the import did; stored as JSON in the imports row. */
export type ImportReport = {
  /** Absent in reports from before workbooks were read: CSV. */
  format?: FileFormat;
  /** CSV only. */
  delimiter: Delimiter | null;
  /** The organization's country at the check: phone numbers without a prefix were read as its. */
  defaultCountry: string;
  columns: Array<{ header: string; field: ImportField | null }>;
  errors: RowError[];
  errorCount: number;
  groupsToCreate: string[];
  groupsToCreateCount: number;
  memberships: number;
  /** Valid rows with a phone in a file without a consent column: one question for the whole file. */
  phonesWithoutConsent?: number;
  /** Valid rows that are people already registered (the first MAX_STORED_ERRORS listed). */
  matches?: ListedMatch[];
  matchCount?: number;
  /** Of them, found by the same full name only (the only ones that may be added anyway). */
  nameMatchCount?: number;
  /** After the import. */
  createdGroups?: number;
  updatedRows?: number;
  skippedRows?: number;
  choices?: ImportChoices;
  /** Who confirmed that everyone with a phone consented, when that was the choice. */
  consentConfirmedBy?: string;
  /** Rows valid at the check but not at the import: why it was called off. */
  applyErrors?: RowError[];
  applyErrorCount?: number;
};
