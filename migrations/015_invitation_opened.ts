import type { Knex } from "knex";

/**
 * When a person first opened their personal link (the join page), kept apart from when
 * they joined: with the hand-off to the app, opening the page no longer joins anyone, and
 * the dashboard's funnel (registered → invited → opened → joined) counts both.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("invitations", (t) => {
    t.bigInteger("opened_at").nullable();
    t.index(["opened_at"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("invitations", (t) => {
    t.dropIndex(["opened_at"]);
    t.dropColumn("opened_at");
  });
}
