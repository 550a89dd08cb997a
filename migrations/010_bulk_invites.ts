import type { Knex } from "knex";
import { createTable } from "./support.js";

/**
 * "Invite all pending" runs, kept so that a restart mid-run resumes where it was rather than
 * leaving the rest of the people uninvited: the target, who asked, and a cursor (people are
 * taken in id order). An instance owns a running one while its heartbeat is fresh; another
 * takes over a stale one.
 */
export async function up(knex: Knex): Promise<void> {
  await createTable(knex, "bulk_invites", (t) => {
    t.increments("id").unsigned().primary();
    t.text("target").notNullable();
    t.text("actor").notNullable();
    t.string("state", 16).notNullable();
    t.bigInteger("after_user_id").notNullable().defaultTo(0);
    t.integer("queued").notNullable().defaultTo(0);
    t.integer("refused").notNullable().defaultTo(0);
    t.integer("attempts").notNullable().defaultTo(0);
    t.string("owner", 64).nullable();
    t.bigInteger("heartbeat_at").notNullable();
    t.text("last_error").nullable();
    t.bigInteger("created_at").notNullable();
    t.bigInteger("finished_at").nullable();
    t.index(["state", "heartbeat_at"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists("bulk_invites");
}
