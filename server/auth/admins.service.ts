import type { Knex } from "knex";
import { nowMs } from "../core/db/convert.js";
import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from "../core/errors.js";
import { type Actor, type EventBus, says } from "../core/events.js";
import { isLanguage, LANGUAGES } from "../core/i18n/index.js";
import { message } from "../core/message.js";
import { digest, newSecret } from "../core/tokens.js";
import { zodFieldMessages } from "../core/validation.js";
import * as repo from "./admins.repo.js";
import { type Admin, ROLES, type Role } from "./admins.repo.js";
import { adminInputSchema } from "./admins.schema.js";
import type { LoginLimiter } from "./login-limiter.js";
import { DUMMY_HASH, hashPassword, isStrongEnough, verifyPassword } from "./passwords.js";
import * as sessions from "./sessions.repo.js";
import * as setupTokens from "./setup-tokens.repo.js";

const SETUP_LINK_MS = 60 * 60 * 1000;

export class AdminsService {
  constructor(
    private db: Knex,
    private events: EventBus,
    private limiter: LoginLimiter,
  ) {}

  async hasAny(): Promise<boolean> {
    return (await repo.countAdmins(this.db)) > 0;
  }

  list(): Promise<Admin[]> {
    return repo.listAdmins(this.db);
  }

  async get(id: number): Promise<Admin> {
    const row = await repo.findById(this.db, id);
    if (!row) throw new NotFoundError(message("errors:adminNotFound", { id }));
    return repo.toAdmin(row);
  }

  async create(raw: Record<string, unknown>, actor: Actor): Promise<Admin> {
    const id = await this.insert(this.db, raw);
    await this.announceCreated(id, actor);
    return this.get(id);
  }

  private async insert(db: Knex, raw: Record<string, unknown>): Promise<number> {
    const parsed = adminInputSchema.safeParse(raw);
    if (!parsed.success) throw new ValidationError(zodFieldMessages(parsed.error));
    const input = parsed.data;
    const emailNormalized = input.email.toLowerCase();
    if (await repo.findByEmail(db, emailNormalized)) {
      throw new ValidationError({ email: message("validation:adminEmailTaken") });
    }
    return repo.insertAdmin(db, {
      email: input.email,
      emailNormalized,
      name: input.name,
      role: input.role,
      passwordHash: await hashPassword(input.password),
      now: nowMs(),
    });
  }

  private async announceCreated(id: number, actor: Actor) {
    const admin = await this.get(id);
    await this.events.emit("admin.created", {
      actor,
      ...says("adminCreated", { id, role: admin.role }),
      target: { type: "admin", id },
    });
  }

  /**
   * Checks the password under the rate limit; the same message whether the account exists
   * or not. `failedSince`: wrong passwords for this account from anywhere since its
   * previous sign-in, for the notice the admin sees.
   */
  async authenticate(email: string, password: string, ip: string): Promise<Admin & { failedSince: number }> {
    const emailNormalized = email.trim().toLowerCase();
    const attempt = await this.limiter.begin(emailNormalized, ip);
    const row = await repo.findByEmail(this.db, emailNormalized);
    const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
    if (!row || !ok || row.disabled_at) throw new UnauthorizedError(message("errors:badLogin"));
    const failedSince = await this.limiter.succeeded(attempt);
    return { ...repo.toAdmin(row), failedSince };
  }

  async setRole(id: number, role: Role, actor: Actor): Promise<Admin> {
    const admin = await this.get(id);
    if (!ROLES.includes(role)) throw new ValidationError({ role: `must be one of ${ROLES.join(", ")}` });
    if (admin.role === "admin" && role !== "admin") await this.keepOneAdmin();
    await repo.updateAdmin(this.db, id, { role, updated_at: nowMs() });
    await this.events.emit("admin.role.changed", {
      actor,
      ...says("adminRoleChanged", { id, role }),
      target: { type: "admin", id },
    });
    return this.get(id);
  }

  async setDisabled(id: number, disabled: boolean, actor: Actor): Promise<Admin> {
    const admin = await this.get(id);
    if (disabled && actor.type === "admin" && actor.id === String(id)) throw new ForbiddenError(message("errors:disableSelf"));
    if (disabled && admin.role === "admin" && !admin.disabledAt) await this.keepOneAdmin();
    await repo.updateAdmin(this.db, id, { disabled_at: disabled ? nowMs() : null, updated_at: nowMs() });
    if (disabled) await sessions.deleteSessionsOf(this.db, id);
    await this.events.emit(disabled ? "admin.disabled" : "admin.enabled", {
      actor,
      ...says(disabled ? "adminDisabled" : "adminEnabled", { id }),
      target: { type: "admin", id },
    });
    return this.get(id);
  }

  /** The admin's own page language; null follows the organization's. A preference, so not audited. */
  async setLanguage(id: number, language: string | null): Promise<void> {
    if (language !== null && !isLanguage(language))
      throw new ValidationError({ language: `must be one of ${LANGUAGES.join(", ")}` });
    await repo.updateAdmin(this.db, id, { language, updated_at: nowMs() });
  }

  async setPassword(id: number, password: string, actor: Actor): Promise<void> {
    if (!isStrongEnough(password)) throw new ValidationError({ password: message("validation:passwordRule") });
    await this.get(id);
    await repo.updateAdmin(this.db, id, { password_hash: await hashPassword(password), updated_at: nowMs() });
    await sessions.deleteSessionsOf(this.db, id);
    await this.events.emit("admin.password.changed", {
      actor,
      ...says("adminPasswordChanged", { id }),
      target: { type: "admin", id },
    });
  }

  /** A one-time link (1 hour) that creates the first admin; only while there is none. */
  async issueSetupToken(): Promise<string | null> {
    if (await this.hasAny()) return null;
    const token = newSecret(32);
    const now = nowMs();
    await setupTokens.insertSetupToken(this.db, digest(token), now, now + SETUP_LINK_MS);
    return token;
  }

  async isSetupTokenValid(token: string): Promise<boolean> {
    const row = await setupTokens.findSetupToken(this.db, digest(token));
    return Boolean(row && !row.used_at && Number(row.expires_at) > nowMs()) && !(await this.hasAny());
  }

  async completeSetup(token: string, raw: Record<string, unknown>, ip: string | null): Promise<Admin> {
    // Validate before consuming the link, so that a typo in the form does not burn it.
    const parsed = adminInputSchema.safeParse({ ...raw, role: "admin" });
    if (!parsed.success) throw new ValidationError(zodFieldMessages(parsed.error));
    const id = await this.db.transaction(async (trx) => {
      const used = await setupTokens.useSetupToken(trx, digest(token), nowMs());
      if (used !== 1 || (await repo.countAdmins(trx)) > 0) {
        throw new ConflictError(
          "This setup link has expired or was already used. Restart the service for a new one, or use `cli admin create`.",
        );
      }
      return this.insert(trx, { ...raw, role: "admin" });
    });
    await this.announceCreated(id, { type: "admin", id: String(id), label: "first-run setup", ip });
    return this.get(id);
  }

  private async keepOneAdmin() {
    if ((await repo.countActiveAdminsWithRole(this.db, "admin")) <= 1) {
      throw new ConflictError(message("errors:lastAdmin"));
    }
  }
}
