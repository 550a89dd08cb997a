import type { Knex } from "knex";
import { Batcher } from "../core/db/batcher.js";
import { fromDbTime, nowMs } from "../core/db/convert.js";
import type { DomainEvent, EventBus } from "../core/events.js";

export type AuditEntry = {
  id: number;
  at: string;
  actorType: string;
  actorId: string | null;
  actorLabel: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  summary: string;
  ip: string | null;
};

export type AuditQuery = {
  action?: string;
  actor?: string;
  targetType?: string;
  targetId?: string;
  from?: number;
  to?: number;
  page: number;
  pageSize: number;
};

type Row = {
  id: number;
  at: number;
  actor_type: string;
  actor_id: string | null;
  actor_label: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  summary: string;
  ip: string | null;
};

const toEntry = (r: Row): AuditEntry => ({
  id: Number(r.id),
  at: fromDbTime(r.at) as string,
  actorType: r.actor_type,
  actorId: r.actor_id,
  actorLabel: r.actor_label,
  action: r.action,
  targetType: r.target_type,
  targetId: r.target_id,
  summary: r.summary,
  ip: r.ip,
});

/** The audit log: every event on the bus, with who did it, from where and when. */
export class AuditLog {
  constructor(private db: Knex) {}

  listen(events: EventBus): void {
    events.onAny((name, event) => this.record(name, event));
  }

  // Busy moments (many joins a second) write their lines in one multi-row insert.
  private writes = new Batcher<Record<string, unknown>, void>(async (rows) => {
    await this.db("audit_log").insert(rows);
    return rows.map(() => undefined);
  });

  /** Resolves once the line is stored. */
  record(action: string, e: DomainEvent): Promise<void> {
    return this.writes.call({
      at: nowMs(),
      actor_type: e.actor.type,
      actor_id: e.actor.id,
      actor_label: e.actor.label.slice(0, 191),
      action: action.slice(0, 64),
      target_type: e.target?.type ?? null,
      target_id: e.target ? String(e.target.id) : null,
      summary: e.summary.slice(0, 500),
      ip: e.actor.ip,
    });
  }

  async list(q: AuditQuery): Promise<{ items: AuditEntry[]; total: number }> {
    const base = this.db("audit_log");
    if (q.action) base.where("action", "like", `${q.action.replace(/[%_\\]/g, "")}%`);
    if (q.actor) base.where("actor_label", q.actor);
    if (q.targetType) base.where("target_type", q.targetType);
    if (q.targetId) base.where("target_id", q.targetId);
    if (q.from) base.where("at", ">=", q.from);
    if (q.to) base.where("at", "<", q.to);
    const count = await base.clone().count({ n: "*" }).first();
    const rows = await base
      .select("*")
      .orderBy("id", "desc")
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize);
    return { items: rows.map(toEntry), total: Number(count?.n ?? 0) };
  }

  async forTarget(type: string, id: number | string, limit = 100): Promise<AuditEntry[]> {
    const rows = await this.db("audit_log")
      .where({ target_type: type, target_id: String(id) })
      .orderBy("id", "desc")
      .limit(limit);
    return rows.map(toEntry);
  }

  async actions(): Promise<string[]> {
    const rows = await this.db("audit_log").distinct("action").orderBy("action");
    return rows.map((r: { action: string }) => r.action);
  }

  async actors(): Promise<string[]> {
    const rows = await this.db("audit_log").distinct("actor_label").orderBy("actor_label").limit(200);
    return rows.map((r: { actor_label: string }) => r.actor_label);
  }
}
