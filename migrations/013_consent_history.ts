import type { Knex } from "knex";
import { createTable } from "./support.js";

/**
 * Consent changes as a history: who changed a person's phone consent, when and how (the
 * admin pages, the API, the command line or an import). The person's own row keeps only
 * the current state; this keeps every step, and goes with the person when they are erased.
 */
export async function up(knex: Knex): Promise<void> {
  await createTable(knex, "consent_changes", (t) => {
    t.increments("id");
    t.integer("user_id").unsigned().notNullable().references("users.id").onDelete("CASCADE");
    t.string("kind", 16).notNullable();
    t.boolean("granted").notNullable();
    t.bigInteger("at").notNullable();
    t.string("actor_label", 191).notNullable();
    t.string("via", 16).notNullable();
    t.index(["user_id", "id"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists("consent_changes");
}
