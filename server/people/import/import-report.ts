import type { ImportField } from "./columns.js";
import type { Delimiter } from "./csv-read.js";
import type { RowError } from "./row-check.js";

/** Row errors kept in the report; all are counted. */
export const MAX_STORED_ERRORS = 1000;
export const MAX_LISTED_GROUPS = 200;

/** What the check found and, after it, what the import did; stored as JSON in the imports row. */
export type ImportReport = {
  delimiter: Delimiter;
  /** The organization's country at the check: phone numbers without a prefix were read as its. */
  defaultCountry: string;
  columns: Array<{ header: string; field: ImportField | null }>;
  errors: RowError[];
  errorCount: number;
  groupsToCreate: string[];
  groupsToCreateCount: number;
  memberships: number;
  /** After the import. */
  createdGroups?: number;
  /** Rows valid at the check but not at the import: why it was called off. */
  applyErrors?: RowError[];
  applyErrorCount?: number;
};
