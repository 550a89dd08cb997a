import type { Knex } from "knex";

/**
 * An import refused by its check keeps the refusal's locale key and values beside the
 * English text (`error`, what the API answers), so the import page says it in the reader's
 * language. Imports from before have none and show as stored.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("imports", (t) => {
    t.string("error_key", 100).nullable();
    t.text("error_values").nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("imports", (t) => {
    t.dropColumn("error_key");
    t.dropColumn("error_values");
  });
}
