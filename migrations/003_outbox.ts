import type { Knex } from "knex";
import { createTable } from "./support.js";

/**
 * The outbox: every email, SMS and webhook call is a row here before it is sent, so that a
 * process restart loses nothing and a provider that is down only delays it. The state
 * (`queued` → `sending` → `sent` | `failed`) and the channel are short strings validated in
 * the service (no enu). While `sending`, `next_attempt_at` is the end of the claim's lease.
 */
export async function up(knex: Knex): Promise<void> {
  await createTable(knex, "outbox", (t) => {
    t.increments("id");
    // What the message is (invitation, later webhook deliveries…): decides how it is prepared.
    t.string("kind", 32).notNullable();
    t.string("channel", 16).notNullable();
    t.integer("user_id").unsigned().nullable().references("users.id").onDelete("SET NULL");
    t.string("recipient", 500).notNullable();
    // MEDIUMTEXT on MySQL: a rendered HTML email or a webhook body can outgrow TEXT's 64 KB.
    t.text("payload", "mediumtext").notNullable();
    t.string("state", 16).notNullable();
    t.integer("attempts").notNullable().defaultTo(0);
    t.bigInteger("next_attempt_at").notNullable();
    // Who holds the current claim (instance and batch), so a late answer cannot overwrite a newer claim.
    t.string("claimed_by", 64).nullable();
    t.string("last_error", 500).nullable();
    t.string("provider_id", 191).nullable();
    t.string("created_by", 191).nullable();
    t.bigInteger("created_at").notNullable();
    t.bigInteger("updated_at").notNullable();
    t.bigInteger("sent_at").nullable();
    // The worker's claim: due messages by state and time.
    t.index(["state", "next_attempt_at"]);
    // A person's deliveries on their profile, newest first.
    t.index(["user_id", "id"]);
    // The Deliveries page's filters, newest first.
    t.index(["channel", "state", "id"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists("outbox");
}
