import { ConflictError, NotFoundError, ValidationError } from "../core/errors.js";
import type { Actor, EventBus } from "../core/events.js";
import type { User, UsersService } from "../people/index.js";
import { parsePhone } from "../people/index.js";
import type { SettingsService } from "../settings/index.js";

export const PHONE_CHANNEL = "phone";

/** Who a phone number points at: nobody, exactly one person, or several (ambiguous). */
export type PhoneMatch = { kind: "none" } | { kind: "one"; userId: number } | { kind: "many"; count: number };

/**
 * Phone matching: a number someone verified (the messaging platform, or the person with a
 * one-time SMS code) joins the one pending person who registered it with consent. Only
 * people with consent are ever matched; active and deactivated people never are.
 */
export class PhoneMatchService {
  constructor(
    private users: Pick<UsersService, "pendingWithConsentByPhone" | "join">,
    private settings: Pick<SettingsService, "get">,
    private events: EventBus,
  ) {}

  /** The number in E.164, read in the organization's default country; 400 naming `field` otherwise. */
  async normalize(raw: unknown, field = "phone"): Promise<string> {
    if (raw === undefined || raw === null || (typeof raw === "string" && !raw.trim())) {
      throw new ValidationError({ [field]: "is required" });
    }
    if (typeof raw !== "string") throw new ValidationError({ [field]: "must be a string" });
    if (raw.length > 40) throw new ValidationError({ [field]: "is not a valid phone number" });
    const { defaultCountry } = await this.settings.get();
    const parsed = parsePhone(raw, defaultCountry);
    if (!parsed) throw new ValidationError({ [field]: "is not a valid phone number" });
    return parsed.e164;
  }

  async match(e164: string): Promise<PhoneMatch> {
    const ids = await this.users.pendingWithConsentByPhone(e164);
    if (ids.length === 0) return { kind: "none" };
    if (ids.length === 1) return { kind: "one", userId: ids[0] as number };
    return { kind: "many", count: ids.length };
  }

  /**
   * Joins the one person the number matches: 404 for none, 409 (and an alert for the
   * admins, with the count only) for several.
   */
  async joinByPhone(rawPhone: unknown, actor: Actor): Promise<User> {
    const e164 = await this.normalize(rawPhone);
    const found = await this.match(e164);
    if (found.kind === "none") throw new NotFoundError("No pending person with phone consent has this number.");
    if (found.kind === "many") {
      await this.alertAmbiguous(found.count, actor);
      throw new ConflictError(`${found.count} pending people have this number: nobody was joined. An admin has to resolve it.`);
    }
    return this.users.join(found.userId, PHONE_CHANNEL, actor);
  }

  /** Lands in the audit log for the admins; the summary names no one and no number. */
  alertAmbiguous(count: number, actor: Actor): Promise<void> {
    return this.events.emit("registration.ambiguous", {
      actor,
      summary: `Phone matching found ${count} pending people with one number; nobody was joined`,
      target: { type: "registration", id: "phone" },
      count,
    });
  }
}
