import type { Knex } from "knex";
import { fromDbBool, fromDbTime, toDbBool } from "../core/db/convert.js";
import { insertRows } from "../core/db/insert-rows.js";
import type { PlannedWrites } from "../core/db/planned-writes.js";
import { groupBy } from "../core/group-by.js";
import { queryTerms, type SearchFields, searchTerms, sortName } from "./normalize.js";
import { nationalDigits } from "./phone.js";
import type { GroupRef, Language, ListQuery, ListResult, SortKey, Status, User, UserSummary } from "./users.types.js";

// The domain types live in users.types.ts; still named here for the importers that have not moved.
export type { User, UserSummary } from "./users.types.js";

/** Shards of the per-status counters: migration 009 made a row for each status and shard. */
const STATUS_COUNT_SHARDS = 16;

/** The columns a write sets; the repository derives the normalized and search columns. */
export type UserRow = {
  first_name: string;
  last_name: string;
  email: string | null;
  email_normalized: string | null;
  phone: string | null;
  phone_consent: boolean;
  phone_consent_at: number | null;
  phone_consent_by: string | null;
  employee_id: string | null;
  employee_id_normalized: string | null;
  department: string | null;
  site: string | null;
  language: string;
  status: string;
  created_at: number;
  updated_at: number;
  joined_at: number | null;
  deactivated_at: number | null;
};

type DbRow = Omit<UserRow, "phone_consent"> & { id: number; phone_consent: unknown };

const COLUMNS = [
  "id",
  "first_name",
  "last_name",
  "email",
  "phone",
  "phone_consent",
  "phone_consent_at",
  "phone_consent_by",
  "employee_id",
  "department",
  "site",
  "language",
  "status",
  "created_at",
  "updated_at",
  "joined_at",
  "joined_channel",
  "deactivated_at",
].map((c) => `users.${c}`);

function toUser(r: DbRow, groups: GroupRef[]): User {
  return {
    id: Number(r.id),
    firstName: r.first_name,
    lastName: r.last_name,
    email: r.email,
    phone: r.phone,
    phoneConsent: fromDbBool(r.phone_consent),
    phoneConsentAt: fromDbTime(r.phone_consent_at),
    phoneConsentBy: r.phone_consent_by,
    employeeId: r.employee_id,
    department: r.department,
    site: r.site,
    language: r.language as Language,
    status: r.status as Status,
    groups,
    createdAt: fromDbTime(r.created_at) as string,
    updatedAt: fromDbTime(r.updated_at) as string,
    joinedAt: fromDbTime(r.joined_at),
    joinedChannel: (r as { joined_channel?: string | null }).joined_channel ?? null,
    deactivatedAt: fromDbTime(r.deactivated_at),
  };
}

function searchFieldsOf(row: UserRow): SearchFields {
  return {
    firstName: row.first_name,
    lastName: row.last_name,
    email: row.email,
    phone: row.phone,
    phoneNational: row.phone ? nationalDigits(row.phone) : null,
    employeeId: row.employee_id,
  };
}

function derived(row: UserRow) {
  const terms = searchTerms(searchFieldsOf(row));
  return {
    row: {
      ...row,
      phone_consent: toDbBool(row.phone_consent),
      sort_name: sortName(row.first_name, row.last_name),
    },
    terms,
  };
}

type TermRow = { term: string; user_id: number; status: string; sort_name: string };
const termRows = (d: ReturnType<typeof derived>, userId: number): TermRow[] =>
  d.terms.map((term) => ({ term, user_id: userId, status: d.row.status, sort_name: d.row.sort_name }));

/** Runs `fn` in the caller's transaction, or in a new one when there is none. */
const inTransaction = <T>(db: Knex, fn: (trx: Knex) => Promise<T>): Promise<T> =>
  (db as Knex.Transaction).isTransaction ? fn(db) : db.transaction(fn);

/**
 * One statement for all the statuses that change (a join moves one person pending → active),
 * on the shard of `shardKey` (the person's id; any number for a bulk change).
 */
async function bumpCounts(db: Knex, deltas: Partial<Record<string, number>>, shardKey: number) {
  await bumpShardCounts(db, [{ deltas, shardKey }]);
}

/** bumpCounts for many people at once, in one statement (shards and statuses in key order). */
async function bumpShardCounts(db: Knex, changes: Array<{ deltas: Partial<Record<string, number>>; shardKey: number }>) {
  await shardCountsUpdate(db, changes);
}

/** The one statement of bumpShardCounts, unsent; null when nothing changes. */
function shardCountsUpdate(
  db: Knex,
  changes: Array<{ deltas: Partial<Record<string, number>>; shardKey: number }>,
): Knex.QueryBuilder | null {
  const sums = new Map<string, { shard: number; status: string; d: number }>();
  for (const { deltas, shardKey } of changes) {
    const shard = shardKey % STATUS_COUNT_SHARDS;
    for (const [status, d] of Object.entries(deltas)) {
      if (!d) continue;
      const key = `${shard}/${status}`;
      const sum = sums.get(key) ?? { shard, status, d: 0 };
      sum.d += d;
      sums.set(key, sum);
    }
  }
  const cells = [...sums.values()].filter((c) => c.d);
  if (!cells.length) return null;
  const cases = cells.map(() => "WHEN shard = ? AND status = ? THEN ?").join(" ");
  return db("user_status_count_shards")
    .whereIn("shard", [...new Set(cells.map((c) => c.shard))])
    .whereIn("status", [...new Set(cells.map((c) => c.status))])
    .update({
      n: db.raw(
        `n + CASE ${cases} ELSE 0 END`,
        cells.flatMap((c) => [c.shard, c.status, c.d]),
      ),
    });
}

/** People per status, summed over the counter shards kept in step with the people (no scan of `users`). */
export async function statusCounts(db: Knex): Promise<Record<Status, number>> {
  const rows: Array<{ status: string; n: unknown }> = await db("user_status_count_shards")
    .select("status")
    .sum({ n: "n" })
    .groupBy("status");
  const counts: Record<Status, number> = { pending: 0, active: 0, deactivated: 0 };
  for (const r of rows) counts[r.status as Status] = Number(r.n ?? 0);
  return counts;
}

/** Recomputes the per-status counters from the people themselves (at start: heals any drift). */
export async function recountStatuses(db: Knex): Promise<void> {
  await db.transaction(async (trx) => {
    const rows: Array<{ status: string; n: number | string }> = await trx("users")
      .select("status")
      .count({ n: "*" })
      .groupBy("status");
    const counts = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    await trx("user_status_count_shards").whereNot("shard", 0).update({ n: 0 });
    for (const status of ["pending", "active", "deactivated"]) {
      await trx("user_status_count_shards")
        .where({ status, shard: 0 })
        .update({ n: counts[status] ?? 0 });
    }
  });
}

/** Inserts one person and their search terms; returns the new id. */
export async function insertUser(db: Knex, row: UserRow): Promise<number> {
  return inTransaction(db, async (trx) => {
    const d = derived(row);
    const [id] = await trx("users").insert(d.row);
    const userId = Number(id);
    if (d.terms.length) await trx("user_search_terms").insert(termRows(d, userId));
    await bumpCounts(trx, { [row.status]: 1 }, userId);
    return userId;
  });
}

/**
 * Inserts many people of one import in multi-row statements, inside the caller's
 * transaction. Multi-row inserts do not report every new id on both dialects, so the ids
 * are read back by (import, CSV line). Returns the ids in the order of `rows`.
 */
export async function insertImportedUsers(
  db: Knex,
  importId: number,
  rows: Array<UserRow & { import_row: number }>,
): Promise<number[]> {
  const ids: number[] = [];
  const perStatus: Record<string, number> = {};
  for (let i = 0; i < rows.length; i += 250) {
    const chunk = rows.slice(i, i + 250).map((r) => ({ ...derived(r), importRow: r.import_row }));
    await insertRows(
      db,
      "users",
      chunk.map((d) => ({ ...d.row, import_id: importId })),
      250,
    );
    const found = await db("users")
      .select("id", "import_row")
      .where("import_id", importId)
      .whereIn(
        "import_row",
        chunk.map((d) => d.importRow),
      );
    const idByRow = new Map<number, number>(
      found.map((f: { id: number; import_row: number }) => [Number(f.import_row), Number(f.id)]),
    );
    const terms: TermRow[] = [];
    for (const d of chunk) {
      const id = idByRow.get(d.importRow);
      if (id === undefined) throw new Error(`imported row ${d.importRow} was not found after insert`);
      ids.push(id);
      perStatus[d.row.status] = (perStatus[d.row.status] ?? 0) + 1;
      terms.push(...termRows(d, id));
    }
    await insertRows(db, "user_search_terms", terms);
  }
  await bumpCounts(db, perStatus, importId);
  return ids;
}

export async function updateUserRow(db: Knex, id: number, row: UserRow): Promise<void> {
  await inTransaction(db, async (trx) => {
    const d = derived(row);
    const before = await trx("users").select("status").where({ id }).first();
    await trx("users").where({ id }).update(d.row);
    await trx("user_search_terms").where({ user_id: id }).delete();
    if (d.terms.length) await trx("user_search_terms").insert(termRows(d, id));
    await trx("group_members").where({ user_id: id }).update({ status: row.status, sort_name: d.row.sort_name });
    if (before && before.status !== row.status) await bumpCounts(trx, { [before.status]: -1, [row.status]: 1 }, id);
  });
}

/**
 * Changes a person's status (and its copies and counters). With `from`, only a person
 * currently in that status changes — one conditional UPDATE, safe against races — and the
 * answer says whether they did.
 */
export async function updateStatus(
  db: Knex,
  id: number,
  fields: {
    status: Status;
    updated_at: number;
    deactivated_at?: number | null;
    joined_at?: number | null;
    joined_channel?: string | null;
  },
  from?: Status,
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    let before = from;
    if (before) {
      const n = await trx("users").where({ id, status: before }).update(fields);
      if (Number(n) !== 1) return false;
    } else {
      const row = await trx("users").select("status").where({ id }).first();
      if (!row) return false;
      before = row.status as Status;
      await trx("users").where({ id }).update(fields);
    }
    if (before === fields.status) return true;
    await trx("group_members").where({ user_id: id }).update({ status: fields.status });
    await trx("user_search_terms").where({ user_id: id }).update({ status: fields.status });
    await bumpCounts(trx, { [before]: -1, [fields.status]: 1 }, id);
    return true;
  });
}

/**
 * Pending people join at once (a batch of redemptions), as writes for the caller's
 * transaction (see runPlannedWrites). They hold when every one of them was still pending;
 * otherwise the caller rolls back, and the copies written meanwhile go with it.
 */
export function planActivatePending(trx: Knex, people: Array<{ id: number; channel: string }>, now: number): PlannedWrites {
  const ids = people.map((p) => p.id);
  const activations = [...groupBy(people, (p) => p.channel)].map(([channel, same]) =>
    trx("users")
      .whereIn(
        "id",
        same.map((p) => p.id),
      )
      .where({ status: "pending" })
      .update({ status: "active", joined_at: now, joined_channel: channel, updated_at: now }),
  );
  return {
    writes: [
      ...activations,
      trx("group_members").whereIn("user_id", ids).update({ status: "active" }),
      trx("user_search_terms").whereIn("user_id", ids).update({ status: "active" }),
      shardCountsUpdate(
        trx,
        ids.map((id) => ({ deltas: { pending: -1, active: 1 }, shardKey: id })),
      ),
    ].filter((w): w is Knex.QueryBuilder => w !== null),
    holds: (counts) => counts.slice(0, activations.length).reduce((sum, n) => sum + n, 0) === people.length,
  };
}

export async function deleteUser(db: Knex, id: number): Promise<void> {
  await inTransaction(db, async (trx) => {
    const before = await trx("users").select("status").where({ id }).first();
    if (!before) return;
    await trx("users").where({ id }).delete();
    await bumpCounts(trx, { [before.status]: -1 }, id);
  });
}

export async function findRow(db: Knex, id: number): Promise<(UserRow & { id: number }) | undefined> {
  const row = await db("users").select(COLUMNS).where({ id }).first();
  return row ? { ...row, id: Number(row.id), phone_consent: fromDbBool(row.phone_consent) } : undefined;
}

/**
 * The groups of these people. Two plain lookups rather than a join: with a join MariaDB
 * may drive from `groups` and walk every membership of every group.
 */
export async function groupsOf(db: Knex, userIds: number[]): Promise<Map<number, GroupRef[]>> {
  const map = new Map<number, GroupRef[]>();
  if (!userIds.length) return map;
  const memberships: Array<{ user_id: number; group_id: number }> = await db("group_members")
    .select("user_id", "group_id")
    .whereIn("user_id", userIds);
  if (!memberships.length) return map;
  const groups: Array<{ id: number; name: string; name_normalized: string }> = await db("groups")
    .select("id", "name", "name_normalized")
    .whereIn("id", [...new Set(memberships.map((m) => Number(m.group_id)))]);
  const byId = new Map(groups.map((g) => [Number(g.id), g]));
  for (const m of memberships) {
    const g = byId.get(Number(m.group_id));
    if (!g) continue;
    const list = map.get(Number(m.user_id)) ?? [];
    list.push({ id: Number(g.id), name: g.name });
    map.set(Number(m.user_id), list);
  }
  const key = (ref: GroupRef) => byId.get(ref.id)?.name_normalized ?? "";
  for (const list of map.values()) list.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return map;
}

const SUMMARY_COLUMNS = ["id", "first_name", "last_name", "language", "status"];
const toSummary = (r: Record<string, unknown>): UserSummary => ({
  id: Number(r.id),
  firstName: r.first_name as string,
  lastName: r.last_name as string,
  language: r.language as Language,
  status: r.status as Status,
});

export async function findSummary(db: Knex, id: number): Promise<UserSummary | undefined> {
  const r = await db("users").select(SUMMARY_COLUMNS).where({ id }).first();
  return r && toSummary(r);
}

export async function findSummaries(db: Knex, ids: number[]): Promise<Map<number, UserSummary>> {
  const rows = await db("users").select(SUMMARY_COLUMNS).whereIn("id", ids);
  return new Map(rows.map((r) => [Number(r.id), toSummary(r)]));
}

export async function findUser(db: Knex, id: number): Promise<User | undefined> {
  const row = await db("users").select(COLUMNS).where({ id }).first();
  if (!row) return undefined;
  const groups = await groupsOf(db, [id]);
  return toUser(row, groups.get(id) ?? []);
}

/** Many people by id in one query per 500 (unknown ids are missing from the map). */
export async function findUsers(db: Knex, ids: number[]): Promise<Map<number, User>> {
  const found = new Map<number, User>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows: DbRow[] = await db("users").select(COLUMNS).whereIn("id", chunk);
    const groups = await groupsOf(
      db,
      rows.map((r) => Number(r.id)),
    );
    for (const row of rows) found.set(Number(row.id), toUser(row, groups.get(Number(row.id)) ?? []));
  }
  return found;
}

export type Duplicate = { id: number; field: "email" | "phone" | "employeeId" };

/** Who already has one of these identifiers (excluding `exceptId`, the person being edited). */
export async function findDuplicate(
  db: Knex,
  keys: { emailNormalized: string | null; phone: string | null; employeeIdNormalized: string | null },
  exceptId?: number,
): Promise<Duplicate | undefined> {
  const checks: Array<[Duplicate["field"], string, string | null]> = [
    ["email", "email_normalized", keys.emailNormalized],
    ["phone", "phone", keys.phone],
    ["employeeId", "employee_id_normalized", keys.employeeIdNormalized],
  ];
  for (const [field, column, value] of checks) {
    if (!value) continue;
    const q = db("users").select("id").where(column, value);
    if (exceptId) q.whereNot("id", exceptId);
    const hit = await q.first();
    if (hit) return { id: Number(hit.id), field };
  }
  return undefined;
}

/**
 * Pending people who consented to phone contact and have this (E.164) phone: the only
 * people phone matching may ever join. At most `limit` ids; callers only tell 0, 1 or more.
 */
export async function pendingIdsWithConsentByPhone(db: Knex, e164: string, limit = 10): Promise<number[]> {
  const rows: Array<{ id: number }> = await db("users")
    .select("id")
    .where({ phone: e164, status: "pending", phone_consent: toDbBool(true) })
    .orderBy("id")
    .limit(limit);
  return rows.map((r) => Number(r.id));
}

/** Which of these values exist already, per identifier column (for imports, in chunks). */
export async function existingValues(
  db: Knex,
  column: "email_normalized" | "phone" | "employee_id_normalized",
  values: string[],
): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (let i = 0; i < values.length; i += 500) {
    const chunk = values.slice(i, i + 500);
    const rows = await db("users").select("id", column).whereIn(column, chunk);
    for (const r of rows) found.set(String(r[column]), Number(r.id));
  }
  return found;
}

/** The lowest id of a person per full name (as `sortName` folds it), for imports' "same name" matches. */
export async function idsBySortName(db: Knex, keys: string[]): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  const unique = [...new Set(keys)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows: Array<{ sort_name: string; id: number }> = await db("users")
      .select("sort_name")
      .min({ id: "id" })
      .whereIn("sort_name", unique.slice(i, i + 500))
      .groupBy("sort_name");
    for (const r of rows) found.set(String(r.sort_name), Number(r.id));
  }
  return found;
}

/** Which of these people exist (in chunks of 500). */
export async function existingIds(db: Knex, ids: number[]): Promise<Set<number>> {
  const found = new Set<number>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db("users")
      .select("id")
      .whereIn("id", ids.slice(i, i + 500));
    for (const r of rows) found.add(Number(r.id));
  }
  return found;
}

/** "First Last" of these people, for messages that name them. */
export async function fullNames(db: Knex, ids: number[]): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db("users")
      .select("id", "first_name", "last_name")
      .whereIn("id", ids.slice(i, i + 500));
    for (const r of rows) names.set(Number(r.id), `${r.first_name} ${r.last_name}`);
  }
  return names;
}

/** The columns of each sort key. */
const SORTS: Record<SortKey, readonly string[]> = {
  name: ["users.sort_name"],
  created: ["users.created_at"],
  status: ["users.status", "users.sort_name"],
  department: ["users.department", "users.sort_name"],
  site: ["users.site", "users.sort_name"],
};

const PREFIX_END = "\u{10FFFF}";

/** The people with a search term starting with `term` (a range on the term index). */
const peopleWithTerm = (db: Knex, term: string) =>
  db("user_search_terms")
    .select("user_id")
    .where("term", ">=", term)
    .andWhere("term", "<", term + PREFIX_END);

function applyFilters(db: Knex, q: Knex.QueryBuilder, query: Omit<ListQuery, "status">) {
  for (const term of queryTerms(query.q ?? "")) q.whereIn("users.id", peopleWithTerm(db, term));
  if (query.groupId) q.whereIn("users.id", db("group_members").select("user_id").where("group_id", query.groupId));
  if (query.department) q.where("users.department", query.department);
  if (query.site) q.where("users.site", query.site);
  return q;
}

/** Only a group filter (and maybe a status): the group's own indexes answer it. */
const groupOnly = (q: ListQuery) => Boolean(q.groupId && !q.q?.trim() && !q.department && !q.site);
/** Only a search (and maybe a status): the search terms' own indexes answer it. */
const searchOnly = (q: ListQuery) => Boolean(queryTerms(q.q ?? "").length && !q.groupId && !q.department && !q.site);
const unfiltered = (q: ListQuery) => !q.groupId && !q.q?.trim() && !q.department && !q.site;

/**
 * Matches of a search read from the terms table: the longest term drives (the most
 * selective), every other term must match the same person.
 */
function searchTermsQuery(db: Knex, q: string): Knex.QueryBuilder {
  const terms = [...queryTerms(q)].sort((a, b) => b.length - a.length);
  const [first, ...rest] = terms as [string, ...string[]];
  const query = db("user_search_terms as t")
    .where("t.term", ">=", first)
    .andWhere("t.term", "<", first + PREFIX_END);
  for (const term of rest) query.whereIn("t.user_id", peopleWithTerm(db, term));
  return query;
}

async function listStatusCounts(db: Knex, query: ListQuery): Promise<Record<Status, number>> {
  let rows: Array<{ status: string; n: number | string }>;
  if (unfiltered(query)) return statusCounts(db);
  if (groupOnly(query)) {
    rows = await db("group_members").where("group_id", query.groupId).select("status").count({ n: "*" }).groupBy("status");
  } else if (searchOnly(query)) {
    rows = await searchTermsQuery(db, query.q as string)
      .select("t.status as status")
      .countDistinct({ n: "t.user_id" })
      .groupBy("t.status");
  } else {
    rows = await applyFilters(db, db("users"), query).select("users.status as status").count({ n: "*" }).groupBy("users.status");
  }
  const counts: Record<Status, number> = { pending: 0, active: 0, deactivated: 0 };
  for (const r of rows) counts[r.status as Status] = Number(r.n);
  return counts;
}

function pageIdsQuery(db: Knex, query: ListQuery): Knex.QueryBuilder {
  if (groupOnly(query) && query.sort === "name") {
    const q = db("group_members").select("user_id as id").where("group_id", query.groupId);
    if (query.status) q.where("status", query.status);
    return q.orderBy("sort_name", query.dir).orderBy("user_id", query.dir);
  }
  if (searchOnly(query) && query.sort === "name") {
    const q = searchTermsQuery(db, query.q as string)
      .select("t.user_id as id", "t.sort_name")
      .groupBy("t.user_id", "t.sort_name");
    if (query.status) q.where("t.status", query.status);
    return q.orderBy("t.sort_name", query.dir).orderBy("t.user_id", query.dir);
  }
  const q = applyFilters(db, db("users").select("users.id"), query);
  if (query.status) q.where("users.status", query.status);
  for (const col of SORTS[query.sort]) q.orderBy(col, query.dir);
  return q.orderBy("users.id", query.dir);
}

export async function listUsers(db: Knex, query: ListQuery): Promise<ListResult> {
  // Counting and paging are independent: on MySQL they run side by side on two connections.
  // Deferred join: the page's ids come from narrow covering indexes, then those rows are read.
  const [counts, ids] = await Promise.all([
    listStatusCounts(db, query),
    pageIdsQuery(db, query)
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize)
      .then((rows: Array<{ id: number }>) => rows.map((r) => Number(r.id))),
  ]);
  const total = query.status ? counts[query.status] : Object.values(counts).reduce((a, b) => a + b, 0);
  const [rows, groups] = await Promise.all([
    ids.length ? (db("users").select(COLUMNS).whereIn("id", ids) as Promise<DbRow[]>) : Promise.resolve([] as DbRow[]),
    groupsOf(db, ids),
  ]);
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  const items = ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [toUser(row, groups.get(id) ?? [])] : [];
  });
  return { items, total, counts };
}

/** Rows for an export or a bulk run, streamed in id order (after `startAfterId`) so that 100,000 people never sit in memory. */
export async function* iterateUsers(
  db: Knex,
  query: Omit<ListQuery, "page" | "pageSize" | "sort" | "dir">,
  batch = 1000,
  startAfterId = 0,
): AsyncGenerator<User[]> {
  let afterId = startAfterId;
  for (;;) {
    const q = applyFilters(db, db("users").select(COLUMNS), { ...query, sort: "name", dir: "asc", page: 1, pageSize: batch });
    if (query.status) q.where("users.status", query.status);
    const rows: DbRow[] = await q.where("users.id", ">", afterId).orderBy("users.id").limit(batch);
    if (!rows.length) return;
    const groups = await groupsOf(
      db,
      rows.map((r) => Number(r.id)),
    );
    yield rows.map((r) => toUser(r, groups.get(Number(r.id)) ?? []));
    afterId = Number(rows[rows.length - 1]?.id);
  }
}

/** The distinct departments or sites (for filter menus; cached by Facets). */
export async function distinctValues(db: Knex, column: "department" | "site"): Promise<string[]> {
  const rows = await db("users").select(column).whereNotNull(column).groupBy(column).orderBy(column).limit(500);
  return rows.map((r: Record<string, string>) => r[column] as string);
}

/** Of these people, those an import created (a later row of the same import may match them). */
export async function idsFromImport(db: Knex, importId: number, ids: number[]): Promise<Set<number>> {
  if (!ids.length) return new Set();
  const rows: Array<{ id: number }> = await db("users").where("import_id", importId).whereIn("id", ids).select("id");
  return new Set(rows.map((r) => Number(r.id)));
}
