import type { Knex } from "knex";
import { Batcher } from "../core/db/batcher.js";
import { nowMs } from "../core/db/convert.js";
import { toStoredMessage } from "../core/db/stored-message.js";
import type { DomainEvent, EventBus } from "../core/events.js";
import * as repo from "./audit.repo.js";
import type { AuditEntry, AuditQuery } from "./audit.types.js";

/** The audit log: every event on the bus, with who did it, from where and when. */
export class AuditLog {
  constructor(private db: Knex) {}

  listen(events: EventBus): void {
    events.onAny((name, event) => this.record(name, event));
  }

  // Busy moments (many joins a second) write their lines in one multi-row insert.
  private writes = new Batcher<Omit<repo.AuditRow, "id">, void>(async (rows) => {
    await repo.insertMany(this.db, rows);
    return rows.map(() => undefined);
  });

  /** Resolves once the line is stored. */
  record(action: string, e: DomainEvent): Promise<void> {
    const said = toStoredMessage(e.said ?? null);
    return this.writes.call({
      at: nowMs(),
      actor_type: e.actor.type,
      actor_id: e.actor.id,
      actor_label: e.actor.label.slice(0, 191),
      action: action.slice(0, 64),
      target_type: e.target?.type ?? null,
      target_id: e.target ? String(e.target.id) : null,
      summary: e.summary.slice(0, 500),
      summary_key: said.key,
      summary_values: said.values,
      ip: e.actor.ip,
    });
  }

  list(q: AuditQuery): Promise<{ items: AuditEntry[]; total: number }> {
    return repo.list(this.db, q);
  }

  forTarget(type: string, id: number | string, limit = 100): Promise<AuditEntry[]> {
    return repo.forTarget(this.db, type, id, limit);
  }

  actions(): Promise<string[]> {
    return repo.actions(this.db);
  }

  actors(): Promise<string[]> {
    return repo.actors(this.db);
  }
}
