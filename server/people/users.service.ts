import type { Knex } from "knex";
import { Batcher } from "../core/db/batcher.js";
import { nowMs } from "../core/db/convert.js";
import type { PlannedWrites } from "../core/db/planned-writes.js";
import { ConflictError, NotFoundError, ValidationError } from "../core/errors.js";
import { type Actor, type EventBus, says } from "../core/events.js";
import { message } from "../core/message.js";
import * as groupsRepo from "./groups.repo.js";
import { normalizeEmail, normalizeEmployeeId, normalizeGroupName } from "./normalize.js";
import type { UserRow } from "./users.repo.js";
import * as repo from "./users.repo.js";
import type { UserInput } from "./users.schema.js";
import type { ListQuery, ListResult, User, UserSummary } from "./users.types.js";

export const CONSENT_REQUIRED = "Tick the consent box: a phone number can only be stored with the person's explicit consent.";

/** Registering, editing, deactivating and erasing people (Step 1 of the invitation process). */
export class UsersService {
  // The join page and the redeem endpoint ask for one person each, many at a time.
  private summaries = new Batcher<number, UserSummary>(
    async (ids) => {
      const found = await repo.findSummaries(this.db, [...new Set(ids)]);
      return ids.map((id) => found.get(id) ?? new NotFoundError(message("errors:personNotFound", { id })));
    },
    { concurrency: 2 },
  );

  constructor(
    private db: Knex,
    private events: EventBus,
  ) {}

  async get(id: number): Promise<User> {
    const user = await repo.findUser(this.db, id);
    if (!user) throw new NotFoundError(message("errors:personNotFound", { id }));
    return user;
  }

  /** Many people at once, for work on long lists (letters, batches); unknown ids are missing. */
  getMany(ids: number[]): Promise<Map<number, User>> {
    return repo.findUsers(this.db, ids);
  }

  list(query: ListQuery): Promise<ListResult> {
    return repo.listUsers(this.db, query);
  }

  async create(input: UserInput, actor: Actor): Promise<User> {
    this.checkConsent(input);
    const now = nowMs();
    const id = await this.db.transaction(async (trx) => {
      await this.checkDuplicates(trx, input);
      const groupIds = await this.resolveGroups(trx, input.groups ?? []);
      const row = this.toRow(input, actor, now, null);
      const userId = await repo.insertUser(trx, row);
      await groupsRepo.setUserGroups(trx, userId, groupIds, now);
      return userId;
    });
    await this.events.emit("user.created", {
      actor,
      ...says("userCreated", { userId: id, consent: input.phone ? "yes" : "no" }),
      target: { type: "user", id },
      userId: id,
    });
    return this.get(id);
  }

  async update(id: number, input: UserInput, actor: Actor): Promise<User> {
    this.checkConsent(input);
    const changed = await this.db.transaction(async (trx) => {
      const current = await repo.findRow(trx, id);
      if (!current) throw new NotFoundError(message("errors:personNotFound", { id }));
      await this.checkDuplicates(trx, input, id);
      const row = this.toRow(input, actor, nowMs(), current);
      const changedFields = (Object.keys(row) as Array<keyof UserRow>).filter(
        (k) => !["updated_at", "created_at"].includes(k) && row[k] !== current[k],
      );
      await repo.updateUserRow(trx, id, row);
      if (input.groups !== undefined) {
        const groupIds = await this.resolveGroups(trx, input.groups);
        const before = (await repo.groupsOf(trx, [id])).get(id)?.map((g) => g.id) ?? [];
        if ([...before].sort().join() !== [...new Set(groupIds)].sort().join()) changedFields.push("groups" as keyof UserRow);
        await groupsRepo.setUserGroups(trx, id, groupIds, nowMs());
      }
      return changedFields.filter((f) => !f.endsWith("_normalized"));
    });
    if (changed.length) {
      await this.events.emit("user.updated", {
        actor,
        ...says("userEdited", { userId: id, fields: changed.join(", ") }),
        target: { type: "user", id },
        userId: id,
      });
    }
    return this.get(id);
  }

  async deactivate(id: number, actor: Actor): Promise<User> {
    const user = await this.get(id);
    if (user.status === "deactivated") return user;
    const now = nowMs();
    await repo.updateStatus(this.db, id, { status: "deactivated", deactivated_at: now, updated_at: now });
    await this.events.emit("user.deactivated", {
      actor,
      ...says("userDeactivated", { userId: id }),
      target: { type: "user", id },
      userId: id,
    });
    return this.get(id);
  }

  async reactivate(id: number, actor: Actor): Promise<User> {
    const user = await this.get(id);
    if (user.status !== "deactivated") return user;
    await repo.updateStatus(this.db, id, {
      status: user.joinedAt ? "active" : "pending",
      deactivated_at: null,
      updated_at: nowMs(),
    });
    await this.events.emit("user.reactivated", {
      actor,
      ...says("userReactivated", { userId: id }),
      target: { type: "user", id },
      userId: id,
    });
    return this.get(id);
  }

  /** Ids of the pending people with phone consent and this E.164 phone (phone matching). */
  pendingWithConsentByPhone(e164: string): Promise<number[]> {
    return repo.pendingIdsWithConsentByPhone(this.db, e164);
  }

  /**
   * "First Last" of these people, for pages that list what happened to them (deliveries,
   * audit): looked up when shown, so that an erased person's name is nowhere kept.
   */
  namesOf(ids: number[]): Promise<Map<number, string>> {
    return repo.fullNames(this.db, [...new Set(ids)]);
  }

  /** Name, language and status only: one query, for public pages and the redeem answer. */
  summary(id: number): Promise<UserSummary> {
    return this.summaries.call(id);
  }

  /**
   * The person accepted their invitation (or was matched by phone): they become active,
   * inside the caller's transaction so that using the invitation and joining commit
   * together. Refused (409) for a deactivated person; joining twice changes nothing.
   * Call `announceJoined` after the commit.
   */
  async joinIn(trx: Knex, id: number, channel: string): Promise<boolean> {
    const now = nowMs();
    const fields = { status: "active" as const, joined_at: now, joined_channel: channel, updated_at: now };
    if (await repo.updateStatus(trx, id, fields, "pending")) return true;
    // Not pending (any more): say why.
    const row = await repo.findSummary(trx, id);
    if (!row) throw new NotFoundError(message("errors:personNotFound", { id }));
    if (row.status === "deactivated") throw new ConflictError(message("errors:joinDeactivated", { id }));
    return false;
  }

  /**
   * joinIn for a batch of pending people, as writes for the caller's transaction (see
   * runPlannedWrites). They hold only when every one of them was pending; otherwise the
   * caller rolls back and takes them one by one, each for its own answer.
   */
  planJoinAll(trx: Knex, people: Array<{ id: number; channel: string }>): PlannedWrites {
    return repo.planActivatePending(trx, people, nowMs());
  }

  async announceJoined(id: number, channel: string, actor: Actor): Promise<void> {
    await this.events.emit("user.joined", {
      actor,
      ...says("userJoined", { userId: id, channel }),
      target: { type: "user", id },
      userId: id,
      channel,
    });
  }

  /** joinIn and announceJoined in one go, for callers without a transaction of their own. */
  async join(id: number, channel: string, actor: Actor): Promise<User> {
    const joined = await this.db.transaction((trx) => this.joinIn(trx, id, channel));
    if (joined) await this.announceJoined(id, channel, actor);
    return this.get(id);
  }

  /** Removes the person and everything personal about them; the audit trail keeps only "#id". */
  async erase(id: number, actor: Actor): Promise<void> {
    await this.get(id);
    await repo.deleteUser(this.db, id);
    await this.events.emit("user.erased", {
      actor,
      ...says("userErased", { userId: id }),
      target: { type: "user", id },
      userId: id,
    });
  }

  private checkConsent(input: UserInput) {
    if (input.phone && !input.phoneConsent) throw new ValidationError({ phoneConsent: message("validation:consentRequired") });
  }

  private async checkDuplicates(db: Knex, input: UserInput, exceptId?: number) {
    const dup = await repo.findDuplicate(
      db,
      {
        emailNormalized: input.email ? normalizeEmail(input.email) : null,
        phone: input.phone,
        employeeIdNormalized: input.employeeId ? normalizeEmployeeId(input.employeeId) : null,
      },
      exceptId,
    );
    if (dup) {
      throw new ConflictError(message("errors:personDuplicate", { id: dup.id, field: dup.field }), {
        type: "user",
        id: dup.id,
        field: dup.field,
      });
    }
  }

  private async resolveGroups(db: Knex, refs: Array<number | string>): Promise<number[]> {
    const ids = refs.filter((r): r is number => typeof r === "number");
    const names = refs.filter((r): r is string => typeof r === "string");
    const known = await groupsRepo.existingGroupIds(db, ids);
    const missingIds = ids.filter((id) => !known.has(id));
    const byName = await groupsRepo.groupIdsByNames(db, names.map(normalizeGroupName));
    const missingNames = names.filter((n) => !byName.has(normalizeGroupName(n)));
    const missing = [...missingIds.map((i) => `#${i}`), ...missingNames];
    if (missing.length) throw new ValidationError({ groups: message("validation:unknownGroup", { names: missing.join(", ") }) });
    return [...new Set([...ids, ...names.map((n) => byName.get(normalizeGroupName(n)) as number)])];
  }

  /** The stored row for an input; consent time and author change only when consent is newly given. */
  private toRow(input: UserInput, actor: Actor, now: number, current: (UserRow & { id: number }) | null): UserRow {
    const consentKept = current?.phone_consent && input.phoneConsent && current.phone === input.phone;
    return {
      first_name: input.firstName,
      last_name: input.lastName,
      email: input.email,
      email_normalized: input.email ? normalizeEmail(input.email) : null,
      phone: input.phone,
      phone_consent: input.phoneConsent,
      phone_consent_at: input.phoneConsent ? (consentKept ? current.phone_consent_at : now) : null,
      phone_consent_by: input.phoneConsent ? (consentKept ? current.phone_consent_by : actor.label) : null,
      employee_id: input.employeeId,
      employee_id_normalized: input.employeeId ? normalizeEmployeeId(input.employeeId) : null,
      department: input.department,
      site: input.site,
      language: input.language,
      status: current?.status ?? "pending",
      created_at: current?.created_at ?? now,
      updated_at: now,
      joined_at: current?.joined_at ?? null,
      deactivated_at: current?.deactivated_at ?? null,
    };
  }
}

/** A user's current values as input, so that a partial update can be merged onto them. */
export function inputOf(user: User): Record<string, unknown> {
  return {
    firstName: user.firstName,
    lastName: user.lastName,
    email: user.email,
    phone: user.phone,
    phoneConsent: user.phoneConsent,
    employeeId: user.employeeId,
    department: user.department,
    site: user.site,
    language: user.language,
  };
}
