import type { Knex } from "knex";
import type { Config } from "../core/config.js";
import { Batcher } from "../core/db/batcher.js";
import { fromDbTime, nowMs } from "../core/db/convert.js";
import { multiStatementDb } from "../core/db/knex.js";
import { runPlannedWrites } from "../core/db/planned-writes.js";
import { AppError, ConflictError, NotFoundError } from "../core/errors.js";
import { type Actor, type EventBus, says } from "../core/events.js";
import type { UserSummary, UsersService } from "../people/index.js";
import type { SettingsService } from "../settings/index.js";
import { type Eligibility, eligibilityOf } from "./eligibility.js";
import { GuessLimiter } from "./guess-limiter.js";
import type { InvitationRow } from "./invitations.repo.js";
import * as repo from "./invitations.repo.js";
import type {
  GoneReason,
  InvitationState,
  InvitationVia,
  InvitationView,
  JoinChannel,
  RotatingSource,
} from "./invitations.types.js";
import { RotatingCodes } from "./rotating-codes.js";
import { InvitationSecrets, looksLikeCode } from "./secrets.js";

/** A join page opened from a rotating code keeps working this long for its Join button. */
const JOIN_TICKET_SECONDS = 300;

/** A link or code that existed but no longer works (410): the page says so kindly. */
export class InvitationGoneError extends AppError {
  constructor(readonly reason: GoneReason) {
    super("This invitation is no longer valid. Ask the front desk for a new one.", 410, "Invitation no longer valid");
  }
}

const DAY_MS = 86_400_000;

/** Letters and sends check people by the hundreds: this many at a time. */
const ELIGIBILITY_CHUNK = 500;

/** What the service needs of the people feature. */
export type InvitationsUsers = Pick<UsersService, "summary" | "getMany" | "announceJoined" | "planJoinAll" | "joinIn">;

type JoinItem = { invitationId: number; userId: number; channel: JoinChannel };

/** A batch of joins in which one could not join: rolled back, then taken one by one. */
class PartialBatch extends Error {}

/** Personal invitation links and codes: show, regenerate, revoke, inspect and redeem. */
export class InvitationsService {
  private secrets: InvitationSecrets;
  private rotating: RotatingCodes;
  private limiter: GuessLimiter;
  // Redemptions arriving together join in one transaction (one at a time: they would only
  // queue for the same counter rows).
  private joins = new Batcher<JoinItem, true>((items) => this.joinBatch(items), { maxBatch: 50 });
  private linkLookups = new Batcher<string, InvitationRow | undefined>(
    async (hashes) => {
      const found = await repo.byTokenHashes(this.db, [...new Set(hashes)]);
      return hashes.map((h) => found.get(h));
    },
    { concurrency: 2 },
  );

  constructor(
    private db: Knex,
    private events: EventBus,
    private users: InvitationsUsers,
    private settings: Pick<SettingsService, "get">,
    private config: Pick<Config, "secretKey" | "publicUrl">,
  ) {
    this.secrets = new InvitationSecrets(config.secretKey);
    this.rotating = new RotatingCodes(config.secretKey);
    // About 20 wrong links or codes a minute per client, as the design asks.
    this.limiter = new GuessLimiter(db, "invitation", 20, 60_000);
  }

  /** The person's current invitation, made on first use. */
  async current(userId: number): Promise<InvitationView> {
    await this.users.summary(userId);
    const row = (await repo.currentFor(this.db, userId)) ?? (await this.issue(userId, null));
    return this.view(row);
  }

  /**
   * The current invitations of many existing people at once (letters, batches), made for
   * those who have none yet. The same as `current` for each, in a few queries.
   */
  async currentMany(userIds: number[]): Promise<Map<number, InvitationView>> {
    const rows = await repo.currentForMany(this.db, userIds);
    const views = new Map<number, InvitationView>();
    for (const id of userIds) {
      const row = rows.get(id) ?? (await this.issue(id, null));
      views.set(id, this.view(row));
    }
    return views;
  }

  /**
   * Whether each of these people can be sent or printed an invitation now, and why not:
   * the one eligibility check (see eligibility.ts) for letters, print jobs, the overnight
   * batch and sends. In a few queries per 500 people, in the order given. The people are
   * read once; the invitations only of pending people, and made for those who have none
   * (as `currentMany`); an expired or revoked one is never replaced here.
   */
  async eligibility(userIds: number[]): Promise<Map<number, Eligibility>> {
    const verdicts = new Map<number, Eligibility>();
    for (let i = 0; i < userIds.length; i += ELIGIBILITY_CHUNK) {
      const chunk = userIds.slice(i, i + ELIGIBILITY_CHUNK);
      const users = await this.users.getMany(chunk);
      const pending = [...new Set(chunk.filter((id) => users.get(id)?.status === "pending"))];
      const invitations = pending.length ? await this.currentMany(pending) : new Map<number, InvitationView>();
      for (const id of chunk) verdicts.set(id, eligibilityOf(id, users.get(id), invitations.get(id)));
    }
    return verdicts;
  }

  /** A new link and code; the previous ones stop working at once. */
  async regenerate(userId: number, actor: Actor): Promise<InvitationView> {
    const user = await this.users.summary(userId);
    if (user.status === "deactivated") throw new ConflictError(`Person #${userId} is deactivated: reactivate them first.`);
    const row = await this.issue(userId, "regenerated");
    await this.events.emit("invitation.regenerated", {
      actor,
      ...says("invitationRegenerated", { userId }),
      target: { type: "user", id: userId },
      userId,
    });
    return this.view(row);
  }

  async revoke(userId: number, actor: Actor): Promise<InvitationView> {
    await this.current(userId);
    if (await repo.revokeOpen(this.db, userId, "revoked", nowMs())) {
      await this.events.emit("invitation.revoked", {
        actor,
        ...says("invitationRevoked", { userId }),
        target: { type: "user", id: userId },
        userId,
      });
    }
    return this.view((await repo.currentFor(this.db, userId)) as InvitationRow);
  }

  /**
   * What a link or typed code leads to, without using it. Unknown ones (404) count toward
   * the client's guessing limit (429); dead ones (410) do not — they were real links, and
   * counting them would lock out a whole office behind one address for a re-tapped link.
   */
  async inspect(
    tokenOrCode: string,
    client: string,
  ): Promise<{ invitation: InvitationView; user: UserSummary; via: InvitationVia; joinToken: string }> {
    const { row, via } = await this.usable(tokenOrCode, client);
    const invitation = this.view(row);
    const user = await this.users.summary(row.user_id);
    if (user.status === "deactivated") throw new InvitationGoneError("deactivated");
    // A page opened from a screen's code must not show the personal link (a photo of the
    // screen would then outlive the rotation); its Join button gets a code of a longer window.
    const joinToken =
      via === "kiosk" ? this.rotating.code(row.id, row.nonce, JOIN_TICKET_SECONDS, nowMs()).token : invitation.token;
    return { invitation, user, via, joinToken };
  }

  /**
   * The open invitation a link or code leads to; 404 (counted toward the limit) or 410
   * otherwise. The person is read only for a dead link: the callers need them anyway for a
   * live one, and redeeming reads them while the person joins.
   */
  private async usable(tokenOrCode: string, client: string): Promise<{ row: InvitationRow; via: InvitationVia }> {
    // A client over the limit is refused before any look-up or HMAC: refusing costs nothing.
    await this.limiter.check(client);
    const value = tokenOrCode.trim();
    let found: Awaited<ReturnType<InvitationsService["find"]>>;
    if (looksLikeCode(value)) {
      // A typed code is short enough to guess: counted before it is looked up, so a burst
      // of any size gets at most the limit looked up; a real one is taken back.
      const attempt = await this.limiter.reserve(client);
      found = await this.find(value);
      if (found) await attempt.release();
    } else {
      // Links and screen codes carry 128 bits and more: no guess finds one, and a failure
      // is counted before its 404 is answered (429 instead when beyond the limit).
      found = await this.find(value);
      if (!found) await this.limiter.fail(client);
    }
    if (found === "stale") throw new InvitationGoneError("stale");
    if (!found) throw new NotFoundError("This invitation link is not valid. Check it, or ask the front desk for a new one.");
    const state = stateOf(found.row);
    if (state !== "active") {
      // A deactivated person's dead link answers as "deactivated", whatever its state, as
      // their live one does: the join page then names nothing about them.
      const user = await this.users.summary(found.row.user_id);
      throw new InvitationGoneError(user.status === "deactivated" ? "deactivated" : state);
    }
    return found;
  }

  /**
   * The person opened their link's page: recorded once per invitation (`opened_at` and an
   * `invitation.opened` event), apart from joining, for the dashboard's funnel. A chat
   * app's link preview opens the page too; it counts as opened, which it is, for the link.
   */
  async recordOpened(invitationId: number, userId: number, client: string): Promise<void> {
    if (!(await repo.markOpened(this.db, invitationId, nowMs()))) return;
    await this.events.emit("invitation.opened", {
      actor: { type: "system", id: null, label: `person #${userId} (join page)`, ip: client },
      ...says("invitationOpened", { userId }),
      target: { type: "user", id: userId },
      userId,
    });
  }

  /**
   * The rotating codes of the person's current invitation, or null when it is not active
   * (used, revoked, expired) or the person is not pending.
   */
  async rotatingSource(userId: number): Promise<RotatingSource | null> {
    const user = await this.users.summary(userId);
    if (user.status !== "pending") return null;
    const row = (await repo.currentFor(this.db, userId)) ?? (await this.issue(userId, null));
    if (this.view(row).state !== "active") return null;
    const { id, nonce } = row;
    return {
      invitationId: id,
      userId,
      code: (periodSeconds, now = nowMs()) => {
        const c = this.rotating.code(id, nonce, periodSeconds, now);
        return { ...c, url: `${this.config.publicUrl}/i/${c.token}` };
      },
    };
  }

  /** Uses the invitation once: the person joins (status active), in one transaction. */
  async redeem(
    tokenOrCode: string,
    channel: JoinChannel,
    client: string,
  ): Promise<{ user: UserSummary; organization: { name: string } }> {
    const { row, via } = await this.usable(tokenOrCode, client);
    // A screen's code joins through the kiosk, whatever the page or app says.
    if (via === "kiosk") channel = "kiosk";
    // The person is read while they join: the join itself refuses anyone no longer pending
    // (a deactivated person's link answers 410), so the answer needs them only for its names.
    const [user] = await Promise.all([
      this.users.summary(row.user_id),
      this.joins.call({ invitationId: row.id, userId: row.user_id, channel }),
    ]);
    await this.users.announceJoined(user.id, channel, {
      type: "system",
      id: null,
      label: `person #${user.id} (invitation, ${channel})`,
      ip: client,
    });
    const settings = await this.settings.get();
    return { user: { ...user, status: "active" }, organization: { name: settings.organizationName } };
  }

  /**
   * Joins a batch of redemptions (often of one) in one transaction, its writes sent
   * together. Should any of them no longer be open or pending (used twice at once,
   * deactivated meanwhile), that transaction is rolled back and each is taken alone, so
   * that each gets its own answer.
   */
  private async joinBatch(items: JoinItem[]): Promise<Array<true | Error>> {
    const uses = items.map((i) => ({ id: i.invitationId, channel: i.channel }));
    const people = items.map((i) => ({ id: i.userId, channel: i.channel }));
    const joined = await multiStatementDb(this.db)
      .transaction(async (trx) => {
        const now = nowMs();
        const plans = [repo.planMarkAllUsed(trx, uses, now), this.users.planJoinAll(trx, people)];
        if (!(await runPlannedWrites(trx, plans))) throw new PartialBatch();
      })
      .then(
        () => true,
        (err) => {
          if (err instanceof PartialBatch) return false;
          throw err;
        },
      );
    if (joined) return items.map(() => true);
    return Promise.all(
      items.map((item) =>
        this.joinOne(item).then(
          () => true as const,
          (err: Error) => err,
        ),
      ),
    );
  }

  private async joinOne({ invitationId, userId, channel }: JoinItem): Promise<void> {
    try {
      await this.db.transaction(async (trx) => {
        if (!(await repo.markUsed(trx, invitationId, channel, nowMs()))) throw new InvitationGoneError("used");
        await this.users.joinIn(trx, userId, channel);
      });
    } catch (err) {
      // Deactivated between the look and the join: the link is left as it was.
      if (err instanceof ConflictError) throw new InvitationGoneError("deactivated");
      throw err;
    }
  }

  /** A 429 for a client this instance knows to be over the guessing limit, or null (nothing asked). */
  refusalFromMemory(client: string) {
    return this.limiter.refusalFromMemory(client);
  }

  /** Forgets old failed guesses; registered as a job. */
  pruneGuesses(): Promise<void> {
    return this.limiter.prune();
  }

  private async find(value: string): Promise<{ row: InvitationRow; via: InvitationVia } | "stale" | undefined> {
    const as = (via: InvitationVia) => (row: InvitationRow | undefined) => row && { row, via };
    if (/^[\w-]{43}$/.test(value)) return this.linkLookups.call(this.secrets.tokenHash(value)).then(as("link"));
    const rotating = this.rotating.parse(value);
    if (rotating) {
      // A code of a future or long-gone window is refused before any look-up or HMAC.
      if (!this.rotating.plausible(rotating, nowMs())) return undefined;
      const row = await repo.byId(this.db, rotating.invitationId);
      const checked = row ? this.rotating.check(rotating, row.nonce, nowMs()) : null;
      if (checked === "stale") return "stale";
      return checked === "current" ? { row: row as InvitationRow, via: "kiosk" } : undefined;
    }
    if (looksLikeCode(value)) return repo.byCodeHash(this.db, this.secrets.codeHash(value)).then(as("code"));
    return undefined;
  }

  /**
   * Opens a new invitation for the person. `closing` set: their open ones are revoked in
   * the same transaction (regenerate). The unique open_user_id column makes racing
   * requests safe: the loser finds the winner's invitation and returns it.
   */
  private async issue(userId: number, closing: "regenerated" | null): Promise<InvitationRow> {
    const { inviteTtlDays } = await this.settings.get();
    for (let attempt = 0; ; attempt++) {
      const now = nowMs();
      const nonce = this.secrets.newNonce();
      const row = {
        user_id: userId,
        nonce,
        token_hash: this.secrets.tokenHash(this.secrets.token(nonce)),
        code_hash: this.secrets.codeHash(this.secrets.code(nonce)),
        created_at: now,
        expires_at: inviteTtlDays > 0 ? now + inviteTtlDays * DAY_MS : null,
        revoked_at: null,
        revoke_reason: null,
        used_at: null,
        used_channel: null,
        open_user_id: userId,
      };
      try {
        const id = await this.db.transaction(async (trx) => {
          if (closing) await repo.revokeOpen(trx, userId, closing, now);
          return repo.insertInvitation(trx, row);
        });
        return { ...row, id };
      } catch (err) {
        if (!repo.isOpenInvitationClash(err) || attempt >= 3) throw err;
        // Someone else opened one at the same moment: without `closing`, theirs will do.
        if (!closing) {
          const theirs = await repo.currentFor(this.db, userId);
          if (theirs) return theirs;
        }
      }
    }
  }

  private view(row: InvitationRow): InvitationView {
    const token = this.secrets.token(row.nonce);
    const state = stateOf(row);
    return {
      id: row.id,
      userId: row.user_id,
      url: `${this.config.publicUrl}/i/${token}`,
      token,
      code: this.secrets.code(row.nonce),
      state,
      createdAt: fromDbTime(row.created_at) as string,
      expiresAt: fromDbTime(row.expires_at),
      usedAt: fromDbTime(row.used_at),
      usedChannel: row.used_channel,
      revokedAt: fromDbTime(row.revoked_at),
      revokeReason: row.revoke_reason,
    };
  }
}

function stateOf(row: InvitationRow): InvitationState {
  if (row.used_at) return "used";
  if (row.revoked_at) return "revoked";
  if (row.expires_at !== null && row.expires_at <= nowMs()) return "expired";
  return "active";
}
