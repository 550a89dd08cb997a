import type { Knex } from "knex";
import { createTable } from "./support.js";

/**
 * Invitations. A person's current invitation is their newest row; older rows stay so that
 * a regenerated or revoked link is recognised and refused (410) rather than unknown (404).
 * Neither the link's token nor the typed code is stored: only their digests, and a random
 * nonce from which the server (with SECRET_KEY) derives both again to show them.
 */
export async function up(knex: Knex): Promise<void> {
  await createTable(knex, "invitations", (t) => {
    t.increments("id");
    t.integer("user_id").unsigned().notNullable().references("users.id").onDelete("CASCADE");
    t.string("nonce", 64).notNullable();
    t.string("token_hash", 64).notNullable().unique();
    t.string("code_hash", 64).notNullable().unique();
    t.bigInteger("created_at").notNullable();
    t.bigInteger("expires_at").nullable();
    t.bigInteger("revoked_at").nullable();
    t.string("revoke_reason", 16).nullable();
    t.bigInteger("used_at").nullable();
    t.string("used_channel", 16).nullable();
    // The person's id while this invitation is open (not used, not revoked), else null:
    // unique, so a person never has two open invitations, even when requests race.
    t.integer("open_user_id").unsigned().nullable().unique();
    t.index(["user_id", "id"]);
  });
  await knex.schema.alterTable("users", (t) => {
    t.string("joined_channel", 16).nullable();
  });
  // Failed attempts at guessing links or codes, per client, for the rate limit.
  await createTable(knex, "guess_failures", (t) => {
    t.increments("id");
    t.string("bucket", 32).notNullable();
    t.string("client", 64).notNullable();
    t.bigInteger("at").notNullable();
    t.index(["bucket", "client", "at"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists("guess_failures");
  await knex.schema.alterTable("users", (t) => {
    t.dropColumn("joined_channel");
  });
  await knex.schema.dropTableIfExists("invitations");
}
