/** A person as the people feature knows them, and the words of their life cycle. */

export const STATUSES = ["pending", "active", "deactivated"] as const;
/** `pending` until they join (greyed out, with a small clock), `active` once joined, `deactivated` by an admin. */
export type Status = (typeof STATUSES)[number];
/** A folder of locales/ (see users.schema.ts for the list). */
export type Language = string;

export type GroupRef = { id: number; name: string };

export type User = {
  id: number;
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  phoneConsent: boolean;
  phoneConsentAt: string | null;
  phoneConsentBy: string | null;
  employeeId: string | null;
  department: string | null;
  site: string | null;
  language: Language;
  status: Status;
  groups: GroupRef[];
  createdAt: string;
  updatedAt: string;
  joinedAt: string | null;
  /** How they joined: link, qr, code, kiosk, phone or app. */
  joinedChannel: string | null;
  deactivatedAt: string | null;
};

export type UserSummary = Pick<User, "id" | "firstName" | "lastName" | "language" | "status">;

/** What the users list can be sorted by (the repository knows the columns). */
export const SORT_KEYS = ["name", "created", "status", "department", "site"] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** The users list's filters, sorting and paging (see list-query.schema.ts). */
export type ListQuery = {
  q?: string;
  status?: Status;
  groupId?: number;
  department?: string;
  site?: string;
  sort: SortKey;
  dir: "asc" | "desc";
  page: number;
  pageSize: number;
};

export type ListResult = {
  items: User[];
  total: number;
  /** People matching every filter but the status, per status. */
  counts: Record<Status, number>;
};

/**
 * Where the organization's defaults come from (the settings feature): a phone number without
 * a country prefix is read in its country; a person without a language gets its language.
 */
export type OrganizationDefaults = { get(): Promise<{ defaultCountry: string; defaultLanguage: string }> };
