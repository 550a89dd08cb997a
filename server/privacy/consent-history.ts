import type { Knex } from "knex";
import { fromDbBool, nowMs, toDbBool } from "../core/db/convert.js";
import type { Actor, DomainEvent, EventBus } from "../core/events.js";
import * as repo from "./consent-history.repo.js";

export type ConsentChange = { kind: "phone"; granted: boolean; at: string; by: string; via: ConsentVia };
export type ConsentVia = "admin page" | "API" | "command line" | "import" | "system";

const viaOf = (actor: Actor, imported: boolean): ConsentVia =>
  imported
    ? "import"
    : actor.type === "admin"
      ? "admin page"
      : actor.type === "apikey"
        ? "API"
        : actor.type === "cli"
          ? "command line"
          : "system";

/**
 * Phone consent as a history. The person's row holds only the current consent (and who gave
 * it, when); after every registration, edit and import this compares it with the last
 * recorded step and adds one when it changed, naming who, when and through what.
 */
export class ConsentHistory {
  constructor(private db: Knex) {}

  listen(events: EventBus): void {
    const record = (e: DomainEvent) => (typeof e.userId === "number" ? this.record([e.userId], e.actor, false) : undefined);
    events.on("user.created", record);
    events.on("user.updated", record);
    events.on("users.imported", async (e) => {
      if (typeof e.importId !== "number") return;
      const ids = await repo.userIdsOfImport(this.db, e.importId);
      for (let i = 0; i < ids.length; i += 500) await this.record(ids.slice(i, i + 500), e.actor, true);
    });
  }

  /** The person's consent changes, oldest first. */
  async of(userId: number): Promise<ConsentChange[]> {
    const rows = await repo.changesOf(this.db, userId);
    return rows.map((r) => ({ kind: "phone" as const, granted: r.granted, at: r.at, by: r.by, via: r.via as ConsentVia }));
  }

  private async record(userIds: number[], actor: Actor, imported: boolean): Promise<void> {
    if (!userIds.length) return;
    const current = await repo.currentConsent(this.db, userIds);
    const lastOf = await repo.lastRecorded(this.db, userIds);
    const now = nowMs();
    const rows = current
      .map((u) => ({ u, granted: fromDbBool(u.phone_consent) }))
      // A first row only when consent was given: "never asked" needs no history.
      .filter(({ u, granted }) => (lastOf.has(Number(u.id)) ? lastOf.get(Number(u.id)) !== granted : granted))
      .map(({ u, granted }) => ({
        user_id: Number(u.id),
        kind: "phone",
        granted: toDbBool(granted),
        at: granted && u.phone_consent_at !== null ? Number(u.phone_consent_at) : now,
        actor_label: (granted && u.phone_consent_by ? u.phone_consent_by : actor.label).slice(0, 191),
        via: viaOf(actor, imported),
      }));
    if (rows.length) await repo.insertChanges(this.db, rows);
  }
}
