import type { Knex } from "knex";
import { nowMs } from "../core/db/convert.js";
import { ConflictError, NotFoundError } from "../core/errors.js";
import type { Actor } from "../core/events.js";
import type { Logger } from "../core/log.js";
import type { WorkQueue } from "../core/work/work-queue.js";
import type { UsersService } from "../people/index.js";
import { iterateUsers, type User } from "../people/index.js";
import type { SettingsService } from "../settings/index.js";
import type { BulkRun, BulkTarget } from "./bulk-invites.repo.js";
import * as runs from "./bulk-invites.repo.js";
import { INVITATION_KIND, type InvitationChannel, type InvitationSender } from "./invitation-sender.js";
import { usersWithMessagesSince } from "./outbox.repo.js";

/** Whom a bulk invitation is for: chosen people, a group's members, or everyone. */
export type { BulkTarget } from "./bulk-invites.repo.js";

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
/** A run's lease, renewed at each batch: a run whose instance stops reporting progress for this long is taken over. */
const LEASE_MS = 60_000;
/** A run that failed this many times (the database gone, …) is given up, with the reason. */
const MAX_ATTEMPTS = 5;
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
 *
 * A run is kept in the database with a cursor (people are taken in id order), so a restart
 * in the middle loses nobody: the run is resumed, by this instance or another, and whoever
 * already got an invitation since the run began is not sent a second one.
 */
export class BulkInvite {
  private readonly queue: WorkQueue;
  private active = new Map<number, Promise<BulkResult>>();
  private stopping = false;

  constructor(
    private deps: {
      db: Knex;
      users: UsersService;
      sender: InvitationSender;
      settings: Pick<SettingsService, "requireSetup">;
      log: Logger;
    },
  ) {
    this.queue = runs.runsQueue(deps.db);
  }

  /** The pending people of the target after `afterId`, in id order, in batches. */
  private async *pending(target: BulkTarget, afterId = 0): AsyncGenerator<{ users: User[]; skipped: number }> {
    if ("ids" in target) {
      const ids = [...new Set(target.ids)]
        .slice(0, MAX_SELECTION)
        .sort((a, b) => a - b)
        .filter((id) => id > afterId);
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
    for await (const users of iterateUsers(this.deps.db, query, BATCH, afterId)) yield { users, skipped: 0 };
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
   * Records a run and queues one invitation per reachable pending person of the target in
   * the background. Returns once the run is recorded; `done` settles when every message is
   * queued (tests wait for it, pages do not).
   */
  async start(target: BulkTarget, actor: Actor): Promise<{ id: number; done: Promise<BulkResult> }> {
    await this.deps.settings.requireSetup();
    const token = this.queue.newToken();
    const run = await runs.insertRun(this.deps.db, target, actor, token, LEASE_MS, nowMs());
    return { id: run.id, done: this.launch(run, token) };
  }

  /**
   * Takes over the runs an instance stopped or died in the middle of and finishes them
   * (a job, every minute). Resolves with how many it resumed, once they are done.
   */
  async resumeStale(): Promise<number> {
    if (this.stopping) return 0;
    const claimed = await runs.claimStale(this.queue, LEASE_MS);
    for (const run of claimed.runs) {
      this.deps.log.info({ bulkInvite: run.id, afterUserId: run.afterUserId }, "resuming a bulk invitation");
    }
    await Promise.all(claimed.runs.map((run) => this.launch(run, claimed.token).catch(() => undefined)));
    return claimed.runs.length;
  }

  /** The newest runs and their progress, for the Deliveries page. */
  recent(limit = 5): Promise<BulkRun[]> {
    return runs.recentRuns(this.deps.db, limit);
  }

  /**
   * Stops between two batches and lets go of the runs, so that the next process (or
   * another instance) resumes them at once.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.active.values()].map((p) => p.catch(() => undefined)));
  }

  private launch(run: BulkRun, token: string): Promise<BulkResult> {
    const done = this.run(run, token).finally(() => this.active.delete(run.id));
    this.active.set(run.id, done);
    done.catch((err) => this.deps.log.error({ err, bulkInvite: run.id }, "bulk invitation stopped"));
    return done;
  }

  private async run(run: BulkRun, token: string): Promise<BulkResult> {
    const { db } = this.deps;
    const result: BulkResult = { queued: run.queued, refused: run.refused };
    try {
      // Let the request that asked for it finish first.
      await new Promise((r) => setImmediate(r));
      for await (const { users } of this.pending(run.target, run.afterUserId)) {
        if (this.stopping) {
          await runs.release(this.queue, run.id, token, null);
          return result;
        }
        // After a restart the batch it stopped in comes again: who already has a message
        // from this run (or any other since it began) is not sent a second one.
        const already = await usersWithMessagesSince(
          db,
          INVITATION_KIND,
          users.map((u) => u.id),
          run.createdAt,
        );
        for (const user of users) {
          const channel = channelFor(user);
          if (!channel) continue;
          if (already.has(user.id)) {
            result.queued++;
            continue;
          }
          try {
            await this.deps.sender.send(user.id, channel, run.actor);
            result.queued++;
          } catch (err) {
            // Joined, deactivated or changed since the preview, or their link is revoked: skip them.
            if (!(err instanceof ConflictError || err instanceof NotFoundError)) throw err;
            result.refused++;
          }
        }
        const last = users.at(-1);
        if (last && !(await runs.advance(this.queue, run.id, token, { afterUserId: last.id, ...result }, LEASE_MS, nowMs()))) {
          this.deps.log.warn({ bulkInvite: run.id }, "bulk invitation taken over by another instance");
          return result;
        }
        await new Promise((r) => setImmediate(r));
      }
      await runs.finish(this.queue, run.id, token, "done", null, nowMs());
      this.deps.log.info({ bulkInvite: run.id, ...result }, "bulk invitation queued");
      return result;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      // Tried often enough: give up with the reason; otherwise another go in a minute.
      const outcome =
        run.attempts >= MAX_ATTEMPTS
          ? runs.finish(this.queue, run.id, token, "failed", reason, nowMs())
          : runs.release(this.queue, run.id, token, reason);
      await outcome.catch(() => undefined);
      throw err;
    }
  }
}
