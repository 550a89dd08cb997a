import type { Knex } from "knex";

/**
 * An audit line keeps its summary's locale key and values beside the English text, so the
 * audit page says it in the reader's language. Lines from before have none and show as stored.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("audit_log", (t) => {
    t.string("summary_key", 100).nullable();
    t.text("summary_values").nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("audit_log", (t) => {
    t.dropColumn("summary_key");
    t.dropColumn("summary_values");
  });
}
