import type { Knex } from "knex";
import { fromDbBool, fromDbJson, fromDbTime, toDbBool, toDbJson } from "../core/db/convert.js";
import type { Webhook } from "./webhooks.types.js";

export type WebhookRow = {
  id: number;
  url: string;
  secret_sealed: string;
  events: string;
  active: number | boolean;
  created_at: number | string;
  updated_at: number | string;
};

export const toWebhook = (row: WebhookRow): Webhook => ({
  id: row.id,
  url: row.url,
  events: fromDbJson<string[]>(row.events, []),
  active: fromDbBool(row.active),
  createdAt: fromDbTime(row.created_at) as string,
  updatedAt: fromDbTime(row.updated_at) as string,
});

export async function insertWebhook(
  db: Knex,
  w: { url: string; secretSealed: string; events: string[]; active: boolean; now: number },
): Promise<number> {
  const [id] = await db("webhooks").insert({
    url: w.url,
    secret_sealed: w.secretSealed,
    events: toDbJson(w.events),
    active: toDbBool(w.active),
    created_at: w.now,
    updated_at: w.now,
  });
  return Number(id);
}

export const findWebhook = (db: Knex, id: number): Promise<WebhookRow | undefined> => db("webhooks").where({ id }).first();

export const listWebhooks = (db: Knex): Promise<WebhookRow[]> => db("webhooks").select("*").orderBy("id", "asc");

/** Active webhooks; the caller picks those subscribed (events are JSON text on both dialects). */
export const activeWebhooks = (db: Knex): Promise<WebhookRow[]> =>
  db("webhooks")
    .where({ active: toDbBool(true) })
    .select("*")
    .orderBy("id", "asc");

export async function setActive(db: Knex, id: number, active: boolean, now: number): Promise<boolean> {
  return (
    Number(
      await db("webhooks")
        .where({ id })
        .update({ active: toDbBool(active), updated_at: now }),
    ) === 1
  );
}

export async function deleteWebhook(db: Knex, id: number): Promise<boolean> {
  return Number(await db("webhooks").where({ id }).delete()) === 1;
}

export async function linkDelivery(db: Knex, outboxId: number, webhookId: number, event: string): Promise<void> {
  await db("webhook_deliveries").insert({ outbox_id: outboxId, webhook_id: webhookId, event });
}

/** The outbox ids of a webhook's latest deliveries, newest first. */
export async function recentDeliveryIds(
  db: Knex,
  webhookId: number,
  limit: number,
): Promise<Array<{ outboxId: number; event: string }>> {
  const rows: Array<{ outbox_id: number; event: string }> = await db("webhook_deliveries")
    .where({ webhook_id: webhookId })
    .orderBy("outbox_id", "desc")
    .limit(limit)
    .select("outbox_id", "event");
  return rows.map((r) => ({ outboxId: Number(r.outbox_id), event: r.event }));
}
