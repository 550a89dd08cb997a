import type { Knex } from "knex";
import { nowMs } from "../core/db/convert.js";
import { ConflictError, NotFoundError } from "../core/errors.js";
import type { Actor } from "../core/events.js";
import type { Logger } from "../core/log.js";
import type { InvitationsService } from "../invitations/index.js";
import type { UsersService } from "../people/index.js";
import { iterateUsers } from "../people/index.js";
import type { SettingsService } from "../settings/index.js";
import { INVITATION_KIND, type InvitationSender, isInvitationChannel } from "./invitation-sender.js";
import { sendsOf } from "./outbox.repo.js";

const DAY_MS = 86_400_000;
/** The outbox's `created_by` of reminders: how they are told apart from sends by people. */
export const REMINDER_ACTOR: Actor = { type: "system", id: null, label: "reminder", ip: null };
export const EXPIRY_REMINDER_ACTOR: Actor = { type: "system", id: null, label: "reminder before expiry", ip: null };
export const REMINDER_DEFAULTS = { reminderDays: 3, reminderLimit: 2 };
/** "Once before expiry": when the link expires within this… */
const EXPIRY_WINDOW_MS = 2 * DAY_MS;
/** …and nothing was sent to them within this. */
const EXPIRY_QUIET_MS = DAY_MS;
const BATCH = 500;

export type ReminderResult = { reminders: number; beforeExpiry: number; refused: number };

type History = { lastAt: number; lastChannel: string; reminders: number; expiryReminders: number };

/**
 * The daily reminder job: people still pending N days after their last invitation get it
 * again on the same channel, at most K times (settings `reminderDays`, `reminderLimit`),
 * and once more shortly before their link expires. Never active or deactivated people
 * (only pending ones are read; the sender refuses the rest again), never someone who was
 * never sent anything.
 */
export class Reminders {
  constructor(
    private deps: {
      db: Knex;
      users: UsersService;
      invitations: InvitationsService;
      settings: SettingsService;
      sender: InvitationSender;
      log: Logger;
    },
  ) {}

  private async limits(): Promise<{ days: number; limit: number }> {
    // The settings carry these once the schema has them; until then the defaults apply.
    const s = (await this.deps.settings.get()) as Partial<typeof REMINDER_DEFAULTS>;
    return {
      days: typeof s.reminderDays === "number" ? s.reminderDays : REMINDER_DEFAULTS.reminderDays,
      limit: typeof s.reminderLimit === "number" ? s.reminderLimit : REMINDER_DEFAULTS.reminderLimit,
    };
  }

  /** Invitation sends per person of `ids`: the last one and how many reminders they had. */
  private async histories(ids: number[]): Promise<Map<number, History>> {
    const rows = await sendsOf(this.deps.db, INVITATION_KIND, ids);
    const byUser = new Map<number, History>();
    for (const r of rows) {
      const id = Number(r.user_id);
      const at = Number(r.created_at);
      const h = byUser.get(id) ?? { lastAt: 0, lastChannel: r.channel, reminders: 0, expiryReminders: 0 };
      if (at >= h.lastAt) {
        h.lastAt = at;
        h.lastChannel = r.channel;
      }
      if (r.created_by === REMINDER_ACTOR.label) h.reminders++;
      if (r.created_by === EXPIRY_REMINDER_ACTOR.label) h.expiryReminders++;
      byUser.set(id, h);
    }
    return byUser;
  }

  async run(now = nowMs()): Promise<ReminderResult> {
    const { days, limit } = await this.limits();
    const result: ReminderResult = { reminders: 0, beforeExpiry: 0, refused: 0 };
    // Until the set-up names the organization and the app, reminders wait (they are not lost).
    if ((await this.deps.settings.missingSetup()).length) return result;
    for await (const users of iterateUsers(this.deps.db, { status: "pending" }, BATCH)) {
      const histories = await this.histories(users.map((u) => u.id));
      for (const user of users) {
        const h = histories.get(user.id);
        if (!h || !isInvitationChannel(h.lastChannel)) continue;
        let actor: Actor | null = null;
        if (h.expiryReminders === 0 && now - h.lastAt >= EXPIRY_QUIET_MS) {
          const invitation = await this.deps.invitations.current(user.id);
          const expires = invitation.expiresAt ? Date.parse(invitation.expiresAt) : null;
          if (invitation.state === "active" && expires !== null && expires > now && expires - now <= EXPIRY_WINDOW_MS) {
            actor = EXPIRY_REMINDER_ACTOR;
          }
        }
        if (!actor && days > 0 && h.reminders < limit && now - h.lastAt >= days * DAY_MS) actor = REMINDER_ACTOR;
        if (!actor) continue;
        try {
          await this.deps.sender.send(user.id, h.lastChannel, actor);
          if (actor === REMINDER_ACTOR) result.reminders++;
          else result.beforeExpiry++;
        } catch (err) {
          // The channel no longer reaches them, or their link was revoked: nothing to remind.
          if (!(err instanceof ConflictError || err instanceof NotFoundError)) throw err;
          result.refused++;
        }
      }
    }
    this.deps.log.info(result, "invitation reminders queued");
    return result;
  }
}
