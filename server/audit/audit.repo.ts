import type { Knex } from "knex";
import { fromDbTime } from "../core/db/convert.js";
import { fromStoredMessage } from "../core/db/stored-message.js";
import type { AuditEntry, AuditQuery } from "./audit.types.js";

/** A line as stored (times in ms). */
export type AuditRow = {
  id: number;
  at: number;
  actor_type: string;
  actor_id: string | null;
  actor_label: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  summary: string;
  /** The summary's locale key and values (JSON), where the event gave them. */
  summary_key: string | null;
  summary_values: string | null;
  ip: string | null;
};

const toEntry = (r: AuditRow): AuditEntry => ({
  id: Number(r.id),
  at: fromDbTime(r.at) as string,
  actorType: r.actor_type,
  actorId: r.actor_id,
  actorLabel: r.actor_label,
  action: r.action,
  targetType: r.target_type,
  targetId: r.target_id,
  summary: r.summary,
  said: fromStoredMessage(r.summary, r.summary_key, r.summary_values),
  ip: r.ip,
});

/** Several lines in one multi-row insert. */
export async function insertMany(db: Knex, rows: Array<Omit<AuditRow, "id">>): Promise<void> {
  await db("audit_log").insert(rows);
}

export async function list(db: Knex, q: AuditQuery): Promise<{ items: AuditEntry[]; total: number }> {
  const base = db("audit_log");
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

export async function forTarget(db: Knex, type: string, id: number | string, limit: number): Promise<AuditEntry[]> {
  const rows = await db("audit_log")
    .where({ target_type: type, target_id: String(id) })
    .orderBy("id", "desc")
    .limit(limit);
  return rows.map(toEntry);
}

export async function actions(db: Knex): Promise<string[]> {
  const rows = await db("audit_log").distinct("action").orderBy("action");
  return rows.map((r: { action: string }) => r.action);
}

export async function actors(db: Knex): Promise<string[]> {
  const rows = await db("audit_log").distinct("actor_label").orderBy("actor_label").limit(200);
  return rows.map((r: { actor_label: string }) => r.actor_label);
}
