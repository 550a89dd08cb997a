import type { Knex } from "knex";
import { createTable } from "./support.js";

/**
 * The one leased work queue (server/work/work-queue.ts) takes every kind of work through a
 * lease: a holder (claim token, null when free) and an expiry in ms.
 *
 * - `job_leases` is made again with a nullable holder (a finished run lets go of it); it
 *   only ever held transient leases and the last scheduled minute run.
 * - `print_queue` gets a lease: the overnight batch claims the people it plans, so two runs
 *   never take the same person.
 * - `bulk_invites` gets a lease expiry in place of "stale after a minute without a heartbeat".
 * - `print_jobs` keeps the evidence that reconciling an attempt needs: when the attempt went
 *   out, when the printer last answered about it, and when the printer had last started
 *   (from printer-up-time) at those moments; `print_job_history` is each job's decisions
 *   and their evidence.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists("job_leases");
  await createTable(knex, "job_leases", (t) => {
    t.string("name", 64).primary();
    t.string("lease_owner", 64).nullable();
    t.bigInteger("lease_expires_at").nullable();
    // The scheduled minute last run, so that instances whose clocks differ slightly do not each run it.
    t.bigInteger("last_slot").nullable();
  });
  await knex.schema.alterTable("print_queue", (t) => {
    t.string("lease_owner", 64).nullable();
    t.bigInteger("lease_expires_at").nullable();
  });
  await knex.schema.alterTable("bulk_invites", (t) => {
    t.bigInteger("lease_expires_at").nullable();
  });
  await knex("bulk_invites")
    .where({ state: "running" })
    .update({ lease_expires_at: knex.raw("?? + 60000", ["heartbeat_at"]) });
  await knex.schema.alterTable("print_jobs", (t) => {
    t.bigInteger("attempt_sent_at").nullable();
    t.bigInteger("printer_seen_at").nullable();
    t.bigInteger("printer_boot_at").nullable();
  });
  await createTable(knex, "print_job_history", (t) => {
    t.increments("id");
    t.integer("job_id").unsigned().notNullable().references("print_jobs.id").onDelete("CASCADE");
    t.bigInteger("at").notNullable();
    t.string("kind", 32).notNullable();
    t.string("summary", 500).notNullable();
    t.text("evidence").nullable();
    t.string("actor", 191).nullable();
    t.index(["job_id", "id"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists("print_job_history");
  await knex.schema.alterTable("print_jobs", (t) => {
    t.dropColumn("attempt_sent_at");
    t.dropColumn("printer_seen_at");
    t.dropColumn("printer_boot_at");
  });
  await knex.schema.alterTable("bulk_invites", (t) => t.dropColumn("lease_expires_at"));
  await knex.schema.alterTable("print_queue", (t) => {
    t.dropColumn("lease_owner");
    t.dropColumn("lease_expires_at");
  });
}
