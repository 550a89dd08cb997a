import type { Knex } from "knex";
import { fromDbTime } from "../core/db/convert.js";
import { insertRows } from "../core/db/insert-rows.js";
import type { Group, Member } from "./groups.types.js";

type GroupRow = { id: number; name: string; created_at: number; updated_at: number };

async function withCounts(db: Knex, rows: GroupRow[]): Promise<Group[]> {
  if (!rows.length) return [];
  // Members' status is copied into group_members, so counting never touches the people.
  const counts: Array<{ groupId: number; members: number | string; pending: number | string | null }> = await db("group_members")
    .whereIn(
      "group_members.group_id",
      rows.map((r) => r.id),
    )
    .select("group_members.group_id as groupId")
    .count({ members: "*" })
    .sum({ pending: db.raw("CASE WHEN group_members.status = 'pending' THEN 1 ELSE 0 END") })
    .groupBy("group_members.group_id");
  const byGroup = new Map(
    counts.map((c) => [Number(c.groupId), { members: Number(c.members), pending: Number(c.pending ?? 0) }]),
  );
  return rows.map((r) => ({
    id: Number(r.id),
    name: r.name,
    memberCount: byGroup.get(Number(r.id))?.members ?? 0,
    pendingCount: byGroup.get(Number(r.id))?.pending ?? 0,
    createdAt: fromDbTime(r.created_at) as string,
    updatedAt: fromDbTime(r.updated_at) as string,
  }));
}

/** Ids and names only, for menus and checkboxes: no counting. */
export async function listGroupNames(db: Knex): Promise<Array<{ id: number; name: string }>> {
  const rows = await db("groups").select("id", "name").orderBy("name_normalized");
  return rows.map((r: { id: number; name: string }) => ({ id: Number(r.id), name: r.name }));
}

export async function listGroups(db: Knex): Promise<Group[]> {
  const rows = await db("groups").select("id", "name", "created_at", "updated_at").orderBy("name_normalized");
  return withCounts(db, rows);
}

export async function findGroup(db: Knex, id: number): Promise<Group | undefined> {
  const row = await db("groups").select("id", "name", "created_at", "updated_at").where({ id }).first();
  return row ? (await withCounts(db, [row]))[0] : undefined;
}

export async function findGroupIdByName(db: Knex, nameNormalized: string): Promise<number | undefined> {
  const row = await db("groups").select("id").where({ name_normalized: nameNormalized }).first();
  return row ? Number(row.id) : undefined;
}

export async function groupIdsByNames(db: Knex, namesNormalized: string[]): Promise<Map<string, number>> {
  const map = new Map<string, number>();
  for (let i = 0; i < namesNormalized.length; i += 500) {
    const rows = await db("groups")
      .select("id", "name_normalized")
      .whereIn("name_normalized", namesNormalized.slice(i, i + 500));
    for (const r of rows) map.set(r.name_normalized, Number(r.id));
  }
  return map;
}

export async function existingGroupIds(db: Knex, ids: number[]): Promise<Set<number>> {
  if (!ids.length) return new Set();
  const rows = await db("groups").select("id").whereIn("id", ids);
  return new Set(rows.map((r: { id: number }) => Number(r.id)));
}

export async function insertGroup(db: Knex, name: string, nameNormalized: string, now: number): Promise<number> {
  const [id] = await db("groups").insert({ name, name_normalized: nameNormalized, created_at: now, updated_at: now });
  return Number(id);
}

export async function renameGroup(db: Knex, id: number, name: string, nameNormalized: string, now: number) {
  await db("groups").where({ id }).update({ name, name_normalized: nameNormalized, updated_at: now });
}

export async function deleteGroup(db: Knex, id: number) {
  await db("groups").where({ id }).delete();
}

/**
 * The one way memberships are written: each row gets a copy of its member's status and
 * sort key (which users.repo keeps in step) so a group's list reads only this table.
 */
export async function insertMemberships(
  db: Knex,
  rows: Array<{ group_id: number; user_id: number; added_at: number }>,
): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    const people: Array<{ id: number; status: string; sort_name: string }> = await db("users")
      .select("id", "status", "sort_name")
      .whereIn("id", [...new Set(chunk.map((r) => r.user_id))]);
    const byId = new Map(people.map((p) => [Number(p.id), p]));
    const full = chunk.flatMap((r) => {
      const p = byId.get(r.user_id);
      return p ? [{ ...r, status: p.status, sort_name: p.sort_name }] : [];
    });
    await insertRows(db, "group_members", full);
  }
}

/** Adds memberships that do not exist yet; returns the user ids actually added. */
export async function addMembers(db: Knex, groupId: number, userIds: number[], now: number): Promise<number[]> {
  const added: number[] = [];
  for (let i = 0; i < userIds.length; i += 500) {
    const chunk = userIds.slice(i, i + 500);
    const existing = new Set(
      (await db("group_members").select("user_id").where({ group_id: groupId }).whereIn("user_id", chunk)).map(
        (r: { user_id: number }) => Number(r.user_id),
      ),
    );
    const fresh = chunk.filter((id) => !existing.has(id));
    if (fresh.length) {
      await insertMemberships(
        db,
        fresh.map((user_id) => ({ group_id: groupId, user_id, added_at: now })),
      );
      added.push(...fresh);
    }
  }
  return added;
}

export async function removeMembers(db: Knex, groupId: number, userIds: number[]): Promise<number[]> {
  const removed: number[] = [];
  for (let i = 0; i < userIds.length; i += 500) {
    const chunk = userIds.slice(i, i + 500);
    const present = (await db("group_members").select("user_id").where({ group_id: groupId }).whereIn("user_id", chunk)).map(
      (r: { user_id: number }) => Number(r.user_id),
    );
    if (present.length) {
      await db("group_members").where({ group_id: groupId }).whereIn("user_id", present).delete();
      removed.push(...present);
    }
  }
  return removed;
}

export async function setUserGroups(db: Knex, userId: number, groupIds: number[], now: number) {
  await db("group_members").where({ user_id: userId }).delete();
  if (groupIds.length) {
    await insertMemberships(
      db,
      [...new Set(groupIds)].map((group_id) => ({ group_id, user_id: userId, added_at: now })),
    );
  }
}

export async function membersOf(db: Knex, groupId: number): Promise<Member[]> {
  const rows = await db("group_members")
    .join("users", "users.id", "group_members.user_id")
    .where("group_members.group_id", groupId)
    .select("users.id", "users.first_name", "users.last_name", "users.status")
    .orderBy("group_members.sort_name")
    .orderBy("group_members.user_id");
  return rows.map((r: { id: number; first_name: string; last_name: string; status: string }) => ({
    id: Number(r.id),
    firstName: r.first_name,
    lastName: r.last_name,
    status: r.status,
  }));
}

/** Which of these groups the person is a member of already. */
export async function memberGroupIds(db: Knex, userId: number, groupIds: number[]): Promise<Set<number>> {
  const rows: Array<{ group_id: number }> = await db("group_members")
    .select("group_id")
    .where({ user_id: userId })
    .whereIn("group_id", groupIds);
  return new Set(rows.map((m) => Number(m.group_id)));
}
