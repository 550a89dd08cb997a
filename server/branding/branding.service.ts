import type { Knex } from "knex";
import { nowMs } from "../core/db/convert.js";
import { ValidationError } from "../core/errors.js";
import { type Actor, type EventBus, says } from "../core/events.js";
import { message } from "../core/message.js";
import * as repo from "./branding.repo.js";
import type { Logo } from "./branding.types.js";
import { decodeFailure } from "./image-decode.js";
import { imageInfo } from "./image-info.js";

export const LOGO_MAX_BYTES = 1024 * 1024;
const LOGO_MAX_SIDE = 4000;
const CACHE_MS = 5_000;

/**
 * The organization's logo: uploaded in Settings, shown on the join page, the kiosk, emails
 * and printed letters. Cached for a few seconds like the settings; other instances catch up
 * within that.
 */
export class BrandingService {
  private cache: { at: number; logo: Logo | null } | null = null;

  constructor(
    private db: Knex,
    private events: EventBus,
  ) {}

  async logo(): Promise<Logo | null> {
    if (this.cache && Date.now() - this.cache.at < CACHE_MS) return this.cache.logo;
    const row = await repo.getAsset(this.db, "logo");
    const logo: Logo | null = row
      ? {
          mime: row.mime as Logo["mime"],
          width: row.width,
          height: row.height,
          data: Buffer.from(row.data, "base64"),
          updatedAt: row.updated_at,
        }
      : null;
    this.cache = { at: Date.now(), logo };
    return logo;
  }

  /** Where pages and screens load the logo, or null (none uploaded). Its version is in it, so browsers may cache it. */
  async logoUrl(): Promise<string | null> {
    const logo = await this.logo();
    return logo ? `/branding/logo?v=${logo.updatedAt}` : null;
  }

  /** Replaces the logo; refuses (naming the `logo` field) what is not a sensible PNG or JPEG. */
  async setLogo(data: Buffer, actor: Actor): Promise<Logo> {
    if (data.length === 0) throw new ValidationError({ logo: message("errors:logo.choose") });
    if (data.length > LOGO_MAX_BYTES) throw new ValidationError({ logo: message("errors:logo.tooLarge") });
    const info = imageInfo(data);
    if (!info) throw new ValidationError({ logo: message("errors:logo.notImage") });
    if (info.width < 16 || info.height < 16 || info.width > LOGO_MAX_SIDE || info.height > LOGO_MAX_SIDE) {
      throw new ValidationError({
        logo: message("errors:logo.size", { width: info.width, height: info.height, max: LOGO_MAX_SIDE }),
      });
    }
    const broken = decodeFailure(data, info);
    if (broken) {
      const kind = info.mime === "image/png" ? "PNG" : "JPEG";
      throw new ValidationError({
        logo: message("errors:logo.damaged", { kind, detail: broken }),
      });
    }
    const updatedAt = nowMs();
    await repo.putAsset(this.db, {
      name: "logo",
      ...info,
      bytes: data.length,
      data: data.toString("base64"),
      updated_at: updatedAt,
    });
    this.cache = null;
    await this.events.emit("branding.logo.updated", {
      actor,
      ...says("logoUploaded", { width: info.width, height: info.height }),
    });
    return { ...info, data, updatedAt };
  }

  async removeLogo(actor: Actor): Promise<void> {
    const removed = await repo.deleteAsset(this.db, "logo");
    this.cache = null;
    if (removed) await this.events.emit("branding.logo.removed", { actor, ...says("logoRemoved") });
  }
}
