import { createHmac, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import type { Knex } from "knex";
import { Sealer } from "../auth/index.js";
import { nowMs } from "../core/db/convert.js";
import { ConflictError } from "../core/errors.js";
import type { Actor } from "../core/events.js";
import { pickLanguage, translator } from "../core/i18n/index.js";
import { GuessLimiter } from "../invitations/index.js";
import type { Outbox, OutboxMessage, Prepared } from "../notify/index.js";
import { DeliveryError } from "../notify/index.js";
import type { User, UsersService } from "../people/index.js";
import type { SettingsService } from "../settings/index.js";
import type { PhoneCodeRow } from "./phone-codes.repo.js";
import * as codes from "./phone-codes.repo.js";
import { PHONE_CHANNEL, type PhoneMatchService } from "./phone-match.service.js";

export const OTP_KIND = "phone-otp";
export const OTP_TTL_MS = 10 * 60_000;
export const OTP_MAX_TRIES = 5;
/** Codes asked for one number (matching anyone or not, so that a 429 tells nothing) per window. */
export const NUMBER_MAX_CODES = 3;
export const NUMBER_WINDOW_MS = 15 * 60_000;

export type VerifyOutcome = { ok: true; user: User } | { ok: false };
const REFUSED: VerifyOutcome = { ok: false };

export type PhoneOtpDeps = {
  db: Knex;
  users: Pick<UsersService, "pendingWithConsentByPhone" | "join" | "summary">;
  settings: Pick<SettingsService, "get">;
  outbox: Pick<Outbox, "registerKind" | "enqueue" | "wake">;
  matching: Pick<PhoneMatchService, "match" | "alertAmbiguous">;
  secretKey: string;
};

/**
 * The self-service phone join: a 6-digit code texted to a number that matches exactly
 * one pending person with consent, then typed back. The code is stored only as an HMAC;
 * the queued SMS carries it sealed (AES-GCM under SECRET_KEY) and it is unsealed only
 * when the outbox sends it. Asking answers the same whatever the number matches.
 */
export class PhoneOtpService {
  /** Wrong codes per client (every wrong or refused code counts). */
  readonly guesses: GuessLimiter;
  /** Code requests per client: each one may send an SMS, so all of them count. */
  readonly sends: GuessLimiter;
  /** Code requests per number, whoever asks: one phone gets a few texts, not a flood. */
  readonly numbers: GuessLimiter;
  private readonly sealer: Sealer;

  constructor(private deps: PhoneOtpDeps) {
    this.guesses = new GuessLimiter(deps.db, "phone-otp-verify", 20, 10 * 60_000);
    this.sends = new GuessLimiter(deps.db, "phone-otp-send", 10, 15 * 60_000);
    this.numbers = new GuessLimiter(
      deps.db,
      "phone-otp-number",
      NUMBER_MAX_CODES,
      NUMBER_WINDOW_MS,
      (retryAfter) =>
        `Codes were asked for this number too often. Wait ${Math.ceil(retryAfter / 60)} minutes, then ask for a new one.`,
    );
    this.sealer = new Sealer(deps.secretKey, "phone-otp-seal");
    deps.outbox.registerKind(OTP_KIND, { prepare: (m) => this.prepare(m) });
  }

  /**
   * Sends a code when the number matches exactly one pending person with consent (a newer
   * code replaces an open one). Nothing tells the caller whether it did. 429 when the
   * client asked too often.
   */
  async request(e164: string, client: string, actor: Actor): Promise<void> {
    // Counted before anything is looked up or sent, per client and per number.
    await this.sends.reserve(client);
    await this.numbers.reserve(e164);
    const found = await this.deps.matching.match(e164);
    if (found.kind === "many") await this.deps.matching.alertAmbiguous(found.count, actor);
    if (found.kind !== "one") return;
    const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
    const salt = randomBytes(16).toString("hex");
    const now = nowMs();
    await this.deps.db.transaction(async (trx) => {
      await codes.closeOpenFor(trx, e164, now);
      const id = await codes.insertCode(trx, {
        phone: e164,
        user_id: found.userId,
        salt,
        code_hash: this.hash(salt, code),
        attempts: 0,
        expires_at: now + OTP_TTL_MS,
        created_at: now,
        closed_at: null,
      });
      await this.deps.outbox.enqueue(
        {
          kind: OTP_KIND,
          channel: "sms",
          userId: found.userId,
          recipient: e164,
          payload: { otpId: id, sealed: this.sealer.seal(code), length: 6 },
          createdBy: "phone join (self-service)",
        },
        { db: trx, wake: false },
      );
    });
    this.deps.outbox.wake();
  }

  /**
   * Joins the person when `code` is the open, unexpired code of this number with tries
   * left. Every failure reads the same (no code, wrong, expired, used up) and counts
   * against the client's guessing limit; after 5 tries the code takes no more.
   */
  async verify(e164: string, code: string, client: string, actor: Actor): Promise<VerifyOutcome> {
    // Counted before the code is compared, so a burst gets at most the limit compared.
    const attempt = await this.guesses.reserve(client);
    const { db } = this.deps;
    const row = await codes.newestOpenFor(db, e164);
    const now = nowMs();
    if (!row || Number(row.expires_at) <= now) return REFUSED;
    // The code's own tries are taken before it is compared, too: a burst of guesses for one
    // number gets at most OTP_MAX_TRIES comparisons, whatever the clients.
    const tried = await codes.takeTry(db, row.id, OTP_MAX_TRIES);
    if (!tried || !/^\d{6}$/.test(code) || !this.matches(row, code)) return REFUSED;
    // Single use, even when two verifications race: only one closes the code.
    if (!(await codes.close(db, row.id, now))) return REFUSED;
    // Consent withdrawn, number changed or person deactivated since the code was sent.
    const still = await this.deps.users.pendingWithConsentByPhone(e164);
    if (!still.includes(Number(row.user_id))) return REFUSED;
    try {
      const user = await this.deps.users.join(Number(row.user_id), PHONE_CHANNEL, actor);
      await attempt.release();
      return { ok: true, user };
    } catch (err) {
      if (err instanceof ConflictError) return REFUSED;
      throw err;
    }
  }

  /** Forgets dead codes and old request counts (for a scheduled job). */
  async prune(): Promise<void> {
    await codes.deleteExpiredBy(this.deps.db, nowMs() - OTP_TTL_MS);
    await this.guesses.prune();
    await this.sends.prune();
    await this.numbers.prune();
  }

  /** The SMS, made when the outbox sends it: only while its code is still open and fresh. */
  private async prepare(message: OutboxMessage): Promise<Prepared> {
    const { otpId, sealed } = message.payload as { otpId?: number; sealed?: string };
    const row = otpId ? await codes.byId(this.deps.db, otpId) : undefined;
    if (!row || row.closed_at !== null || Number(row.expires_at) <= nowMs() || typeof sealed !== "string") {
      throw new DeliveryError("The code expired or was replaced before it could be sent", { permanent: true, safe: true });
    }
    const code = this.sealer.unseal(sealed);
    const settings = await this.deps.settings.get();
    const person = await this.deps.users.summary(Number(row.user_id));
    const t = translator(pickLanguage(person.language, settings.defaultLanguage));
    const body = t("phoneJoin:sms", { org: settings.organizationName, code });
    return { outgoing: { channel: "sms", to: row.phone, body, userId: Number(row.user_id) }, secrets: [code] };
  }

  private hash(salt: string, code: string): string {
    return createHmac("sha256", this.deps.secretKey).update(`phone-otp:${salt}:${code}`).digest("hex");
  }

  private matches(row: PhoneCodeRow, code: string): boolean {
    const given = Buffer.from(this.hash(row.salt, code));
    const stored = Buffer.from(row.code_hash);
    return given.length === stored.length && timingSafeEqual(given, stored);
  }
}
