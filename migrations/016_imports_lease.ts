import type { Knex } from "knex";

/**
 * Imports join the one leased work queue (server/core/work/work-queue.ts): a check or an
 * import runs under a lease (holder and expiry in ms), renewed as it reports progress. Two
 * claimers never both run one import, and one whose runner stopped is found by its lease
 * running out. Rows of earlier versions have no holder: a running one nobody reports on is
 * taken as stopped, as before.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("imports", (t) => {
    t.string("lease_owner", 64).nullable();
    t.bigInteger("lease_expires_at").nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("imports", (t) => {
    t.dropColumn("lease_owner");
    t.dropColumn("lease_expires_at");
  });
}
