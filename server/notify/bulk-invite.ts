import type { Knex } from "knex";
import { ConflictError, NotFoundError } from "../errors.js";
import type { Actor } from "../events.js";
import type { Logger } from "../log.js";
import { iterateUsers, type User } from "../people/users.repo.js";
import type { UsersService } from "../people/users.service.js";
import type { InvitationChannel, InvitationSender } from "./invitation-sender.js";

/** Whom a bulk invitation is for: chosen people, a group's members, or everyone. */
export type BulkTarget = { ids: number[] } | { groupId: number } | { all: true };

/** What a preview shows: pending people per channel, and how many were left out. */
export type BulkPlan = {
  sms: number;
  email: number;
  /** Pending people with neither a phone with consent nor an email: offered for printing. */
  neither: number;
  /** Chosen people who are active, deactivated or gone: never invited. */
  skipped: number;
  /** The first of them, for the page to list. */
  neitherPeople: Array<{ id: number; name: string }>;
};

export type BulkResult = { queued: number; refused: number };

/** A selection larger than this is refused: a group or "everyone" covers the rest. */
export const MAX_SELECTION = 1000;
/** People queued per batch; the batches yield to the event loop so that pages stay quick. */
const BATCH = 50;
const NEITHER_SHOWN = 200;

/** SMS first when the person consented to it (it is read sooner), else email; null when neither reaches them. */
export function channelFor(user: Pick<User, "email" | "phone" | "phoneConsent">): InvitationChannel | null {
  if (user.phone && user.phoneConsent) return "sms";
  if (user.email) return "email";
  return null;
}

/**
 * "Invite all pending" for a selection, a group or everyone: a preview of the channels,
 * then the sends, queued in batches in the background (the outbox worker sends them at its
 * own pace), so that a request for thousands of people returns at once.
 */
export class BulkInvite {
  constructor(private deps: { db: Knex; users: UsersService; sender: InvitationSender; log: Logger }) {}

  /** The pending people of the target, in batches. */
  private async *pending(target: BulkTarget): AsyncGenerator<{ users: User[]; skipped: number }> {
    if ("ids" in target) {
      const ids = [...new Set(target.ids)].slice(0, MAX_SELECTION);
      for (let i = 0; i < ids.length; i += BATCH) {
        const users: User[] = [];
        let skipped = 0;
        for (const id of ids.slice(i, i + BATCH)) {
          try {
            const user = await this.deps.users.get(id);
            if (user.status === "pending") users.push(user);
            else skipped++;
          } catch (err) {
            if (!(err instanceof NotFoundError)) throw err;
            skipped++;
          }
        }
        yield { users, skipped };
      }
      return;
    }
    const query = "groupId" in target ? { status: "pending" as const, groupId: target.groupId } : { status: "pending" as const };
    for await (const users of iterateUsers(this.deps.db, query, BATCH * 10)) yield { users, skipped: 0 };
  }

  /** The pending people of the target that neither SMS nor email reaches (to be printed), up to `limit`. */
  async unreachableIds(target: BulkTarget, limit: number): Promise<number[]> {
    const ids: number[] = [];
    for await (const { users } of this.pending(target)) {
      for (const user of users) if (!channelFor(user) && ids.length < limit) ids.push(user.id);
      if (ids.length >= limit) break;
    }
    return ids;
  }

  async preview(target: BulkTarget): Promise<BulkPlan> {
    const plan: BulkPlan = { sms: 0, email: 0, neither: 0, skipped: 0, neitherPeople: [] };
    for await (const { users, skipped } of this.pending(target)) {
      plan.skipped += skipped;
      for (const user of users) {
        const channel = channelFor(user);
        if (channel) plan[channel]++;
        else {
          plan.neither++;
          if (plan.neitherPeople.length < NEITHER_SHOWN) {
            plan.neitherPeople.push({ id: user.id, name: `${user.firstName} ${user.lastName}`.trim() });
          }
        }
      }
    }
    return plan;
  }

  /**
   * Queues one invitation per reachable pending person of the target. Returns at once;
   * `done` settles when every message is queued (tests wait for it, pages do not).
   */
  start(target: BulkTarget, actor: Actor): { done: Promise<BulkResult> } {
    const done = this.run(target, actor);
    done.catch((err) => this.deps.log.error({ err }, "bulk invitation stopped"));
    return { done };
  }

  private async run(target: BulkTarget, actor: Actor): Promise<BulkResult> {
    const result: BulkResult = { queued: 0, refused: 0 };
    // Let the request that asked for it finish first.
    await new Promise((r) => setImmediate(r));
    for await (const { users } of this.pending(target)) {
      for (const user of users) {
        const channel = channelFor(user);
        if (!channel) continue;
        try {
          await this.deps.sender.send(user.id, channel, actor);
          result.queued++;
        } catch (err) {
          // Joined, deactivated or changed since the preview, or their link is revoked: skip them.
          if (!(err instanceof ConflictError || err instanceof NotFoundError)) throw err;
          result.refused++;
        }
      }
      await new Promise((r) => setImmediate(r));
    }
    this.deps.log.info({ queued: result.queued, refused: result.refused }, "bulk invitation queued");
    return result;
  }
}
