import { createHmac } from "node:crypto";
import type { Knex } from "knex";
import type { Config } from "../server/core/config.js";
import { Batcher } from "../server/core/db/batcher.js";
import { fromDbTime, nowMs } from "../server/core/db/convert.js";
import { ConflictError, NotFoundError, RateLimitedError, ValidationError } from "../server/core/errors.js";
import type { Actor, EventBus } from "../server/core/events.js";
import { groupBy } from "../server/core/group-by.js";
import { isLanguage } from "../server/core/i18n/index.js";
import { message } from "../server/core/message.js";
import { digest, newSecret } from "../server/core/tokens.js";
import { GuessLimiter, type InvitationsService } from "../server/invitations/index.js";
import type { UsersService } from "../server/people/index.js";
import type { SettingsService } from "../server/settings/index.js";
import type { EntryRow, KioskRow } from "./kiosks.repo.js";
import * as repo from "./kiosks.repo.js";
import { parseKioskInput } from "./kiosks.schema.js";
import type { Kiosk, ScreenEntry, ScreenState } from "./kiosks.types.js";

/** Tiles a screen shows at once; more people wait their turn. */
export const MAX_TILES = 4;
const ENROLL_MS = 24 * 60 * 60 * 1000;
const PAIRING_MS = 15 * 60 * 1000;
/** New pairing requests per address (unpaired screens reloading keep theirs: their cookie). */
export const PAIRINGS_PER_ADDRESS = 20;
const PAIRINGS_WINDOW_MS = 15 * 60 * 1000;
/** Open pairing requests at once, whoever made them: the table stays small under any flood. */
export const MAX_OPEN_PAIRINGS = 500;
const WELCOME_MS = 6_000;

/** What kiosks take from the configuration: links, secrets and the screens' timings. */
export type KiosksConfig = Pick<Config, "publicUrl" | "secretKey" | "kioskRotateSeconds" | "kioskDisplayMinutes">;

/**
 * Lobby kiosks: their settings, how a screen is paired with one (enrolment link or typed
 * pairing code, both giving a long-lived device credential kept only as a digest), and
 * who each one shows. Live delivery to the screens is KioskLive's job; this class
 * announces every change on the event bus.
 */
export class KiosksService {
  private pairingLimiter: GuessLimiter;
  private screenLimiter: GuessLimiter;

  // Many people join at once at a busy entrance: one look-up for their screens.
  private welcomes = new Batcher<number, number[]>(async (userIds) => {
    const kiosks = await repo.welcome(this.db, [...new Set(userIds)], nowMs() + WELCOME_MS);
    return userIds.map((id) => kiosks.get(id) ?? []);
  });

  constructor(
    private db: Knex,
    private events: EventBus,
    private users: Pick<UsersService, "summary">,
    private invitations: Pick<InvitationsService, "rotatingSource">,
    private config: KiosksConfig,
    /** Tiles carry the organization's name: nothing is shown before the set-up. */
    private settings: Pick<SettingsService, "requireSetup" | "get">,
  ) {
    // A 6-digit code is guessable in principle: a few wrong ones a minute per admin address.
    this.pairingLimiter = new GuessLimiter(db, "kiosk-pair", 10, 60_000);
    this.screenLimiter = new GuessLimiter(db, "kiosk-screen", PAIRINGS_PER_ADDRESS, PAIRINGS_WINDOW_MS, (retryAfter) =>
      message("errors:kiosk.tooManyScreens", { minutes: Math.ceil(retryAfter / 60) }),
    );
  }

  async list(): Promise<Kiosk[]> {
    return (await repo.all(this.db)).map((r) => this.toKiosk(r));
  }

  async get(id: number): Promise<Kiosk> {
    return this.toKiosk(await this.row(id));
  }

  async create(raw: unknown, actor: Actor): Promise<{ kiosk: Kiosk; enrollUrl: string }> {
    const input = parseKioskInput(raw);
    const language = input.language ?? (await this.settings.get()).defaultLanguage;
    const now = nowMs();
    const nonce = newSecret(16);
    const id = await repo.insert(this.db, {
      name: input.name,
      site: input.site,
      language,
      rotate_seconds: input.rotateSeconds,
      idle_message: input.idleMessage,
      credential_hash: null,
      paired_at: null,
      enroll_nonce: nonce,
      enroll_hash: digest(`kiosk-enroll:${this.enrollToken(nonce)}`),
      enroll_expires_at: now + ENROLL_MS,
      last_seen_at: null,
      created_at: now,
      updated_at: now,
    });
    await this.events.emit("kiosk.created", {
      actor,
      summary: `Created kiosk #${id} (${input.name})`,
      target: kioskTarget(id),
      kioskId: id,
    });
    const row = await this.row(id);
    return { kiosk: this.toKiosk(row), enrollUrl: this.enrollUrlOf(row) as string };
  }

  async update(id: number, raw: unknown, actor: Actor): Promise<Kiosk> {
    await this.row(id);
    const input = parseKioskInput(raw);
    await repo.update(this.db, id, {
      name: input.name,
      site: input.site,
      ...(input.language ? { language: input.language } : {}),
      rotate_seconds: input.rotateSeconds,
      idle_message: input.idleMessage,
      updated_at: nowMs(),
    });
    await this.events.emit("kiosk.updated", {
      actor,
      summary: `Changed kiosk #${id} (${input.name})`,
      target: kioskTarget(id),
      kioskId: id,
    });
    return this.get(id);
  }

  async remove(id: number, actor: Actor): Promise<void> {
    const row = await this.row(id);
    await repo.remove(this.db, id);
    await this.events.emit("kiosk.deleted", {
      actor,
      summary: `Deleted kiosk #${id} (${row.name})`,
      target: kioskTarget(id),
      kioskId: id,
    });
  }

  /** The open enrolment link, or null (paired, expired, or none made). */
  async enrollUrl(id: number): Promise<string | null> {
    return this.enrollUrlOf(await this.row(id));
  }

  /** A fresh enrolment link (valid 24 h); the previous one stops working. */
  async newEnrollLink(id: number, actor: Actor): Promise<string> {
    await this.row(id);
    const nonce = newSecret(16);
    await repo.update(this.db, id, {
      enroll_nonce: nonce,
      enroll_hash: digest(`kiosk-enroll:${this.enrollToken(nonce)}`),
      enroll_expires_at: nowMs() + ENROLL_MS,
    });
    await this.events.emit("kiosk.enroll_link", {
      actor,
      summary: `New enrolment link for kiosk #${id}`,
      target: kioskTarget(id),
      kioskId: id,
    });
    return this.enrollUrlOf(await this.row(id)) as string;
  }

  /** The kiosk an open enrolment link is for (to ask "enrol this screen as …?"), or null. */
  async enrollTarget(token: string): Promise<Kiosk | null> {
    const row = await this.byEnrollToken(token);
    return row ? this.toKiosk(row) : null;
  }

  /**
   * Uses an enrolment link once: this screen becomes the kiosk (a screen paired before is
   * replaced). Returns the device credential for the screen's cookie, or null.
   */
  async enroll(token: string, client: string): Promise<{ kiosk: Kiosk; credential: string } | null> {
    const row = await this.byEnrollToken(token);
    if (!row) return null;
    const credential = newSecret(32);
    const used = await repo.useEnrollLink(this.db, row.id, row.enroll_hash, {
      credential_hash: digest(credential),
      paired_at: nowMs(),
      enroll_nonce: null,
      enroll_hash: null,
      enroll_expires_at: null,
      updated_at: nowMs(),
    });
    if (!used) return null;
    await this.announcePaired(
      row,
      { type: "system", id: null, label: "kiosk screen (enrolment link)", ip: client },
      "enrolment link",
    );
    return { kiosk: await this.get(row.id), credential };
  }

  /**
   * An unpaired screen asks to be paired: its secret (for its cookie) and the code it shows.
   * The code is derived from the secret, so a reloaded screen shows the same one. Anyone
   * may ask (the page is public), so each address gets a few and all of them together a
   * bounded number of open requests (429 beyond); they expire after 15 minutes.
   */
  async startPairing(client: string): Promise<{ secret: string; code: string; expiresAt: number }> {
    await this.screenLimiter.reserve(client);
    if ((await repo.countOpenPairings(this.db, nowMs())) >= MAX_OPEN_PAIRINGS) {
      await repo.prunePairings(this.db, nowMs());
      if ((await repo.countOpenPairings(this.db, nowMs())) >= MAX_OPEN_PAIRINGS) {
        throw new RateLimitedError(message("errors:kiosk.tooManyWaiting"), 60);
      }
    }
    for (let attempt = 0; ; attempt++) {
      const secret = newSecret(32);
      const code = this.pairingCode(secret);
      const now = nowMs();
      try {
        await repo.insertPairing(this.db, {
          secret_hash: digest(secret),
          code_hash: this.pairingCodeHash(code),
          expires_at: now + PAIRING_MS,
          kiosk_id: null,
          created_at: now,
        });
        return { secret, code, expiresAt: now + PAIRING_MS };
      } catch (err) {
        // The same code is open on another screen: draw again.
        if (attempt >= 5 || !/UNIQUE constraint failed|Duplicate entry/i.test((err as Error).message)) throw err;
        await repo.prunePairings(this.db, now);
      }
    }
  }

  /** The pairing request behind a screen's secret while it is open, with the code to show. */
  async pairing(secret: string): Promise<{ id: number; kioskId: number | null; expiresAt: number; code: string } | null> {
    if (!secret || secret.length > 100) return null;
    const row = await repo.pairingBy(this.db, "secret_hash", digest(secret));
    if (!row || row.expires_at <= nowMs()) return null;
    return { id: row.id, kioskId: row.kiosk_id, expiresAt: row.expires_at, code: this.pairingCode(secret) };
  }

  /** An admin typed the code a screen shows: that screen becomes this kiosk. */
  async pairWithCode(id: number, rawCode: unknown, actor: Actor): Promise<{ pairingId: number }> {
    const row = await this.row(id);
    const code = typeof rawCode === "string" ? rawCode.replace(/[\s-]/g, "") : "";
    if (!/^\d{6}$/.test(code)) throw new ValidationError({ code: "must be the 6 digits the screen shows" });
    const client = actor.ip ?? actor.id ?? "admin";
    await this.pairingLimiter.check(client);
    const pairing = await repo.pairingBy(this.db, "code_hash", this.pairingCodeHash(code));
    if (!pairing || pairing.expires_at <= nowMs() || !(await repo.claimPairing(this.db, pairing.id, id, nowMs()))) {
      await this.pairingLimiter.fail(client);
      throw new ValidationError({ code: "no screen shows this code: check the digits, or reload the screen for a new one" });
    }
    await this.announcePaired(row, actor, "pairing code", pairing.id);
    return { pairingId: pairing.id };
  }

  /**
   * The paired screen collects its credential (its page reloads after the admin typed the
   * code). Returns it once, then the pairing request is gone.
   */
  async claimPairing(secret: string): Promise<{ kiosk: Kiosk; credential: string } | null> {
    if (!secret || secret.length > 100) return null;
    const row = await repo.pairingBy(this.db, "secret_hash", digest(secret));
    if (!row || row.kiosk_id === null) return null;
    const credential = newSecret(32);
    await this.db.transaction(async (trx) => {
      await repo.deletePairing(trx, row.id);
      await repo.update(trx, row.kiosk_id as number, {
        credential_hash: digest(credential),
        paired_at: nowMs(),
        updated_at: nowMs(),
      });
    });
    return { kiosk: await this.get(row.kiosk_id), credential };
  }

  /** The kiosk a device credential belongs to, or undefined (unknown, unpaired, deleted). */
  async authenticate(credential: string): Promise<Kiosk | undefined> {
    if (!credential || credential.length > 100) return undefined;
    const row = await repo.byColumn(this.db, "credential_hash", digest(credential));
    return row ? this.toKiosk(row) : undefined;
  }

  /** Forgets the screen: its credential stops working at once. */
  async unpair(id: number, actor: Actor): Promise<void> {
    const row = await this.row(id);
    await repo.update(this.db, id, { credential_hash: null, paired_at: null, updated_at: nowMs() });
    await this.events.emit("kiosk.unpaired", {
      actor,
      summary: `Unpaired the screen of kiosk #${id} (${row.name})`,
      target: kioskTarget(id),
      kioskId: id,
    });
  }

  async touch(ids: number[]): Promise<void> {
    await repo.touch(this.db, ids, nowMs());
  }

  /** Puts a pending person on the kiosk (in a tile, or waiting for one). */
  async display(id: number, userId: number, actor: Actor): Promise<{ added: boolean }> {
    await this.settings.requireSetup();
    const kiosk = await this.row(id);
    const user = await this.users.summary(userId);
    if (user.status !== "pending")
      throw new ConflictError(
        message("errors:kiosk.notPending", { id: userId, status: user.status === "active" ? "joined" : "deactivated" }),
      );
    if (!(await this.invitations.rotatingSource(userId))) {
      throw new ConflictError(message("errors:kiosk.deadLink", { id: userId }));
    }
    const added = await repo.addEntry(this.db, id, userId, nowMs());
    if (added) {
      await this.events.emit("kiosk.display", {
        actor,
        summary: `Showed person #${userId} on kiosk #${id} (${kiosk.name})`,
        target: kioskTarget(id),
        kioskId: id,
        userId,
      });
    }
    return { added };
  }

  async removeEntry(id: number, userId: number, actor: Actor): Promise<void> {
    await this.row(id);
    if (!(await repo.removeEntry(this.db, id, userId))) throw new NotFoundError(message("errors:kiosk.notShown", { id, userId }));
    await this.events.emit("kiosk.entry.removed", {
      actor,
      summary: `Took person #${userId} off kiosk #${id}`,
      target: kioskTarget(id),
      kioskId: id,
      userId,
    });
  }

  /** A person joined: their tiles say welcome for a few seconds. Returns the kiosks to refresh. */
  welcome(userId: number): Promise<number[]> {
    return this.welcomes.call(userId);
  }

  kiosksShowing(userId: number): Promise<number[]> {
    return repo.entriesOfUser(this.db, userId);
  }

  /**
   * What the screens show now, after the time-ups: entries whose time is over leave, waiting
   * ones move into free tiles, and people who can no longer join (deactivated, invitation
   * revoked) leave. Idempotent, so instances may race.
   */
  async screens(ids: number[]): Promise<Map<number, ScreenState>> {
    const now = nowMs();
    await repo.expireEntries(this.db, ids, now);
    const kiosks = (await repo.byIds(this.db, ids)).map((r) => this.toKiosk(r));
    const displayMs = this.config.kioskDisplayMinutes * 60_000;
    let entries = await repo.entriesOf(this.db, ids);
    const byKiosk = groupBy(entries, (e) => e.kiosk_id);
    let promoted = false;
    for (const k of kiosks) {
      const list = byKiosk.get(k.id) ?? [];
      const shown = list.filter((e) => e.shown_at !== null).length;
      const free = Math.min(MAX_TILES - shown, list.length - shown);
      if (free > 0) {
        await repo.promote(this.db, k.id, free, now, displayMs);
        promoted = true;
      }
    }
    if (promoted) entries = await repo.entriesOf(this.db, ids);
    const result = new Map<number, ScreenState>();
    const fresh = groupBy(entries, (e) => e.kiosk_id);
    for (const kiosk of kiosks) {
      const tiles: ScreenState["tiles"] = [];
      let waiting = 0;
      let nextChangeAt: number | null = null;
      for (const e of fresh.get(kiosk.id) ?? []) {
        if (e.shown_at === null && e.welcome_until === null) {
          waiting++;
          continue;
        }
        const source = e.welcome_until === null ? await this.invitations.rotatingSource(e.user_id) : null;
        if (!source && e.welcome_until === null) {
          // Joined elsewhere meanwhile, deactivated, or the invitation was revoked: nothing to scan.
          await repo.removeEntry(this.db, kiosk.id, e.user_id);
          nextChangeAt = now;
          continue;
        }
        if (e.shown_at === null) continue;
        const end = e.welcome_until ?? e.expires_at;
        if (end !== null) nextChangeAt = Math.min(nextChangeAt ?? end, end);
        tiles.push({ ...screenEntry(e), source });
      }
      result.set(kiosk.id, { kiosk, tiles, waiting, nextChangeAt });
    }
    return result;
  }

  async screen(id: number): Promise<ScreenState | undefined> {
    return (await this.screens([id])).get(id);
  }

  /** Who a kiosk shows (tiles and waiting), for the admin pages: names as the screen shows them. */
  async showing(ids: number[]): Promise<Map<number, ScreenEntry[]>> {
    const now = nowMs();
    const map = new Map<number, ScreenEntry[]>();
    for (const e of await repo.entriesOf(this.db, ids)) {
      if ((e.expires_at !== null && e.expires_at <= now) || (e.welcome_until !== null && e.welcome_until <= now)) continue;
      const list = map.get(e.kiosk_id) ?? [];
      list.push(screenEntry(e));
      map.set(e.kiosk_id, list);
    }
    return map;
  }

  /** Forgets expired pairing requests; registered as a job. */
  async prune(): Promise<void> {
    await repo.prunePairings(this.db, nowMs());
    await this.pairingLimiter.prune();
    await this.screenLimiter.prune();
  }

  private async announcePaired(row: KioskRow, actor: Actor, how: string, pairingId?: number): Promise<void> {
    await this.events.emit("kiosk.paired", {
      actor,
      summary: `Paired a screen with kiosk #${row.id} (${row.name}) by ${how}`,
      target: kioskTarget(row.id),
      kioskId: row.id,
      pairingId,
    });
  }

  private async byEnrollToken(token: string): Promise<KioskRow | undefined> {
    if (!/^[\w-]{20,100}$/.test(token)) return undefined;
    const row = await repo.byColumn(this.db, "enroll_hash", digest(`kiosk-enroll:${token}`));
    if (!row || row.enroll_expires_at === null || row.enroll_expires_at <= nowMs()) return undefined;
    return row;
  }

  private enrollToken(nonce: string): string {
    return createHmac("sha256", this.config.secretKey).update(`kiosk-enroll:${nonce}`).digest("base64url");
  }

  private enrollUrlOf(row: KioskRow): string | null {
    if (!row.enroll_nonce || row.enroll_expires_at === null || row.enroll_expires_at <= nowMs()) return null;
    return `${this.config.publicUrl}/kiosk/enroll/${this.enrollToken(row.enroll_nonce)}`;
  }

  private pairingCode(secret: string): string {
    const n = createHmac("sha256", this.config.secretKey).update(`kiosk-pairing-code:${secret}`).digest().readUInt32BE(0);
    return String(n % 1_000_000).padStart(6, "0");
  }

  private pairingCodeHash(code: string): string {
    return createHmac("sha256", this.config.secretKey).update(`kiosk-pairing:${code}`).digest("hex");
  }

  private async row(id: number): Promise<KioskRow> {
    const row = await repo.byId(this.db, id);
    if (!row) throw new NotFoundError(message("errors:kiosk.notFound", { id }));
    return row;
  }

  private toKiosk(r: KioskRow): Kiosk {
    const rotate = r.rotate_seconds === null ? null : Number(r.rotate_seconds);
    const enrollOpen = r.enroll_nonce && r.enroll_expires_at !== null && Number(r.enroll_expires_at) > nowMs();
    return {
      id: Number(r.id),
      name: r.name,
      site: r.site,
      language: isLanguage(r.language) ? r.language : "en",
      rotateSeconds: rotate ?? this.config.kioskRotateSeconds,
      rotateSecondsSetting: rotate,
      idleMessage: r.idle_message,
      paired: Boolean(r.credential_hash),
      pairedAt: fromDbTime(r.paired_at),
      lastSeenAt: fromDbTime(r.last_seen_at),
      createdAt: fromDbTime(r.created_at) as string,
      enrollExpiresAt: enrollOpen ? fromDbTime(r.enroll_expires_at) : null,
    };
  }
}

const kioskTarget = (id: number) => ({ type: "kiosk", id });

function screenEntry(e: EntryRow): ScreenEntry {
  const initial = [...e.last_name.trim()][0];
  return {
    userId: e.user_id,
    label: initial ? `${e.first_name} ${initial.toLocaleUpperCase()}.` : e.first_name,
    firstName: e.first_name,
    language: isLanguage(e.language) ? e.language : "en",
    shown: e.shown_at !== null,
    expiresAt: e.expires_at,
    welcomeUntil: e.welcome_until,
  };
}
