import type { Knex } from "knex";
import { createTable } from "./support.js";

/**
 * One-time SMS codes of the self-service phone join. Only an HMAC of the code is kept
 * (keyed with SECRET_KEY, salted per row). A code is open until it is used, superseded by
 * a newer one for the same number, or tried `attempts` = 5 times; it expires after 10 min.
 */
export async function up(knex: Knex): Promise<void> {
  await createTable(knex, "phone_otps", (t) => {
    t.increments("id");
    // E.164, like users.phone.
    t.string("phone", 32).notNullable();
    t.integer("user_id").unsigned().notNullable().references("users.id").onDelete("CASCADE");
    t.string("salt", 32).notNullable();
    t.string("code_hash", 64).notNullable();
    t.integer("attempts").notNullable().defaultTo(0);
    t.bigInteger("expires_at").notNullable();
    t.bigInteger("created_at").notNullable();
    // Used or superseded: the code no longer works.
    t.bigInteger("closed_at").nullable();
    // The newest open code of a number.
    t.index(["phone", "id"]);
    t.index(["expires_at"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists("phone_otps");
}
