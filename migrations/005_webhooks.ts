import type { Knex } from "knex";
import { createTable } from "./support.js";

/**
 * Webhooks other systems register to hear what happened (user.created, user.joined, …).
 * The secret is needed to sign each delivery, so it cannot be hashed: it is kept sealed
 * (AES-256-GCM under a key derived from SECRET_KEY). `webhook_deliveries` ties each outbox
 * message to its webhook, so the admin page can show a webhook's delivery log without the
 * outbox knowing about webhooks.
 */
export async function up(knex: Knex): Promise<void> {
  await createTable(knex, "webhooks", (t) => {
    t.increments("id");
    t.string("url", 500).notNullable();
    t.string("secret_sealed", 400).notNullable();
    // JSON array of event names.
    t.text("events").notNullable();
    t.integer("active").notNullable().defaultTo(1);
    t.bigInteger("created_at").notNullable();
    t.bigInteger("updated_at").notNullable();
  });
  await createTable(knex, "webhook_deliveries", (t) => {
    t.integer("outbox_id").unsigned().primary().references("outbox.id").onDelete("CASCADE");
    t.integer("webhook_id").unsigned().notNullable().references("webhooks.id").onDelete("CASCADE");
    t.string("event", 100).notNullable();
    t.index(["webhook_id", "outbox_id"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists("webhook_deliveries");
  await knex.schema.dropTableIfExists("webhooks");
}
