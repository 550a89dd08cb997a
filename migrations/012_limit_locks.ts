import type { Knex } from "knex";
import { createTable } from "./support.js";

/**
 * One row per limited client (per bucket: invitation guesses, phone codes, new kiosk
 * screens, …), locked while its attempts are counted and the next one is written, so that
 * on any number of instances each attempt counts every one before it and no more than the
 * limit get through. `at`: its last use, for pruning.
 */
export async function up(knex: Knex): Promise<void> {
  await createTable(knex, "limit_locks", (t) => {
    t.string("bucket", 32).notNullable();
    t.string("client", 64).notNullable();
    t.bigInteger("at").notNullable();
    t.primary(["bucket", "client"]);
    t.index(["at"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists("limit_locks");
}
