import type { Knex } from "knex";
import { createTable } from "./support.js";

/**
 * Lobby kiosks. A kiosk is paired with one screen through a long-lived device credential
 * (only its digest is kept). It is enrolled by a one-time link (its nonce is kept so the
 * admin page can show the link again while it is valid; the digest finds it) or by the
 * 6-digit code an unpaired screen shows (`kiosk_pairings`, one row per waiting screen).
 * `kiosk_entries` is what each kiosk shows: kept here so that a restart loses nothing.
 */
export async function up(knex: Knex): Promise<void> {
  await createTable(knex, "kiosks", (t) => {
    t.increments("id");
    t.string("name", 100).notNullable();
    t.string("site", 100).nullable();
    t.string("language", 8).notNullable();
    // null: KIOSK_ROTATE_SECONDS.
    t.integer("rotate_seconds").nullable();
    t.string("idle_message", 300).nullable();
    t.string("credential_hash", 64).nullable().unique();
    t.bigInteger("paired_at").nullable();
    t.string("enroll_nonce", 64).nullable();
    t.string("enroll_hash", 64).nullable().unique();
    t.bigInteger("enroll_expires_at").nullable();
    t.bigInteger("last_seen_at").nullable();
    t.bigInteger("created_at").notNullable();
    t.bigInteger("updated_at").notNullable();
  });
  await createTable(knex, "kiosk_pairings", (t) => {
    t.increments("id");
    // The screen's own secret (httpOnly cookie) and the code it shows, both as digests.
    t.string("secret_hash", 64).notNullable().unique();
    t.string("code_hash", 64).notNullable().unique();
    t.bigInteger("expires_at").notNullable();
    // Set when an admin typed the code: the screen claims its credential on its next request.
    t.integer("kiosk_id").unsigned().nullable().references("kiosks.id").onDelete("CASCADE");
    t.bigInteger("created_at").notNullable();
    t.index(["expires_at"]);
  });
  await createTable(knex, "kiosk_entries", (t) => {
    t.increments("id");
    t.integer("kiosk_id").unsigned().notNullable().references("kiosks.id").onDelete("CASCADE");
    t.integer("user_id").unsigned().notNullable().references("users.id").onDelete("CASCADE");
    t.bigInteger("added_at").notNullable();
    // null while waiting for a free tile; the display time counts from when it appears.
    t.bigInteger("shown_at").nullable();
    t.bigInteger("expires_at").nullable();
    // Set when the person joined: the tile says welcome until then, and leaves.
    t.bigInteger("welcome_until").nullable();
    t.unique(["kiosk_id", "user_id"]);
    t.index(["user_id"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists("kiosk_entries");
  await knex.schema.dropTableIfExists("kiosk_pairings");
  await knex.schema.dropTableIfExists("kiosks");
}
