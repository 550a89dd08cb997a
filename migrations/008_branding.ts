import type { Knex } from "knex";
import { createTable } from "./support.js";

/**
 * The organization's logo (and later other branding images), kept in the database rather
 * than in DATA_DIR so that several instances sharing MySQL/MariaDB show the same one.
 * Base64 in MEDIUMTEXT on MySQL: a 1 MB image fits, and text behaves alike on both dialects.
 */
export async function up(knex: Knex): Promise<void> {
  await createTable(knex, "branding_assets", (t) => {
    t.string("name", 32).primary();
    t.string("mime", 32).notNullable();
    t.integer("width").notNullable();
    t.integer("height").notNullable();
    t.integer("bytes").notNullable();
    t.text("data", "mediumtext").notNullable();
    t.bigInteger("updated_at").notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists("branding_assets");
}
