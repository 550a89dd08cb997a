import type { Knex } from "knex";
import { nowMs } from "../core/db/convert.js";
import { ConflictError, NotFoundError, ValidationError } from "../core/errors.js";
import { type Actor, type EventBus, says } from "../core/events.js";
import { message } from "../core/message.js";
import { issueMessage } from "../core/validation.js";
import * as repo from "./groups.repo.js";
import { groupNameSchema } from "./groups.schema.js";
import type { Group, Member } from "./groups.types.js";
import { normalizeGroupName } from "./normalize.js";
import { existingIds } from "./users.repo.js";

export class GroupsService {
  constructor(
    private db: Knex,
    private events: EventBus,
  ) {}

  list(): Promise<Group[]> {
    return repo.listGroups(this.db);
  }

  names(): Promise<Array<{ id: number; name: string }>> {
    return repo.listGroupNames(this.db);
  }

  async get(id: number): Promise<Group> {
    const group = await repo.findGroup(this.db, id);
    if (!group) throw new NotFoundError(message("errors:groupNotFound", { id }));
    return group;
  }

  members(id: number): Promise<Member[]> {
    return repo.membersOf(this.db, id);
  }

  async create(rawName: unknown, actor: Actor): Promise<Group> {
    const name = this.parseName(rawName);
    const id = await this.db.transaction(async (trx) => {
      await this.checkUnique(trx, name);
      return repo.insertGroup(trx, name, normalizeGroupName(name), nowMs());
    });
    await this.events.emit("group.created", {
      actor,
      ...says("groupCreated", { id }),
      target: { type: "group", id },
      groupId: id,
    });
    return this.get(id);
  }

  async rename(id: number, rawName: unknown, actor: Actor): Promise<Group> {
    const name = this.parseName(rawName);
    await this.get(id);
    await this.db.transaction(async (trx) => {
      await this.checkUnique(trx, name, id);
      await repo.renameGroup(trx, id, name, normalizeGroupName(name), nowMs());
    });
    await this.events.emit("group.renamed", {
      actor,
      ...says("groupRenamed", { id }),
      target: { type: "group", id },
      groupId: id,
    });
    return this.get(id);
  }

  async delete(id: number, actor: Actor): Promise<void> {
    const group = await this.get(id);
    await repo.deleteGroup(this.db, id);
    await this.events.emit("group.deleted", {
      actor,
      ...says("groupDeleted", { id, n: group.memberCount }),
      target: { type: "group", id },
      groupId: id,
    });
  }

  async addMembers(id: number, userIds: number[], actor: Actor): Promise<number[]> {
    await this.get(id);
    const existing = await existingIds(this.db, userIds);
    const missing = userIds.filter((u) => !existing.has(u));
    if (missing.length) throw new ValidationError({ userIds: `unknown person: ${missing.map((m) => `#${m}`).join(", ")}` });
    const added = await this.db.transaction((trx) => repo.addMembers(trx, id, [...new Set(userIds)], nowMs()));
    if (added.length) {
      await this.events.emit("group.members.added", {
        actor,
        ...says("groupMembersAdded", { id, n: added.length, ...ids(added) }),
        target: { type: "group", id },
        groupId: id,
        userIds: added,
      });
    }
    return added;
  }

  async removeMembers(id: number, userIds: number[], actor: Actor): Promise<number[]> {
    await this.get(id);
    const removed = await this.db.transaction((trx) => repo.removeMembers(trx, id, [...new Set(userIds)]));
    if (removed.length) {
      await this.events.emit("group.members.removed", {
        actor,
        ...says("groupMembersRemoved", { id, n: removed.length, ...ids(removed) }),
        target: { type: "group", id },
        groupId: id,
        userIds: removed,
      });
    }
    return removed;
  }

  private parseName(raw: unknown): string {
    const parsed = groupNameSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ValidationError({ name: issue ? issueMessage(issue) : message("validation:invalid") });
    }
    return parsed.data;
  }

  private async checkUnique(db: Knex, name: string, exceptId?: number) {
    const existing = await repo.findGroupIdByName(db, normalizeGroupName(name));
    if (existing !== undefined && existing !== exceptId) {
      throw new ConflictError(message("errors:groupExists", { id: existing }), {
        type: "group",
        id: existing,
        field: "name",
      });
    }
  }
}

/** "#1, #2, #3" and how many more — enough for the audit log without listing thousands. */
function ids(list: number[]): { ids: string; more: number } {
  const shown = list
    .slice(0, 10)
    .map((i) => `#${i}`)
    .join(", ");
  return { ids: shown, more: Math.max(0, list.length - 10) };
}
