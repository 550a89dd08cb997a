import type { Knex } from "knex";

/** Each admin's language for the admin pages; null follows the organization's default language. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("admins", (t) => {
    t.string("language", 16).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("admins", (t) => {
    t.dropColumn("language");
  });
}
