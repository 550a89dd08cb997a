import type { Knex } from "knex";
import { createTable } from "./support.js";

/**
 * The print station. `printers` are network printers (IPP), CUPS queues on this host or
 * Windows printers; their optional password is sealed (the driver must send it). A
 * `print_jobs` row is one document sent to one printer: the letters of `print_job_people`
 * in order. It keeps what reconciling after a restart needs: the attempt's unique job name
 * (saved before the send), the printer's own job id (saved once the printer accepted it)
 * and a claim with a lease, so that one instance at a time handles it. `print_queue` holds
 * the people waiting for the overnight batch; `job_id` ties them to the batch job that
 * prints them, and is cleared when that job fails (they wait for the next night).
 */
export async function up(knex: Knex): Promise<void> {
  await createTable(knex, "printers", (t) => {
    t.increments("id");
    t.string("name", 100).notNullable();
    t.string("name_normalized", 100).notNullable().unique();
    t.string("site", 100).nullable().index();
    t.string("driver", 16).notNullable();
    t.string("uri", 500).notNullable();
    t.string("paper", 16).notNullable().defaultTo("A4");
    t.string("sides", 32).notNullable().defaultTo("one-sided");
    t.integer("copies").notNullable().defaultTo(1);
    // The printer new print jobs of its site (or of people without a site printer, when it has no site) go to.
    t.boolean("site_default").notNullable().defaultTo(false);
    t.string("username", 191).nullable();
    t.string("password_sealed", 400).nullable();
    t.bigInteger("created_at").notNullable();
    t.bigInteger("updated_at").notNullable();
  });
  await createTable(knex, "print_batches", (t) => {
    t.increments("id");
    t.string("trigger", 16).notNullable();
    t.string("started_by", 191).nullable();
    t.integer("jobs").notNullable().defaultTo(0);
    t.integer("letters").notNullable().defaultTo(0);
    t.bigInteger("started_at").notNullable();
    t.bigInteger("finished_at").nullable();
  });
  await createTable(knex, "print_jobs", (t) => {
    t.increments("id");
    t.integer("printer_id").unsigned().nullable().references("printers.id").onDelete("SET NULL");
    // Kept for the history once the printer is deleted.
    t.string("printer_name", 100).notNullable();
    t.string("kind", 16).notNullable();
    t.integer("batch_id").unsigned().nullable().references("print_batches.id").onDelete("SET NULL");
    t.integer("job_number").notNullable().defaultTo(1);
    t.integer("job_count").notNullable().defaultTo(1);
    t.string("status", 16).notNullable();
    t.integer("letters").notNullable();
    t.integer("attempts").notNullable().defaultTo(0);
    t.bigInteger("next_attempt_at").nullable();
    t.string("claimed_by", 64).nullable();
    t.bigInteger("claim_expires_at").nullable();
    // null, 'sending' (saved before the document goes out) or 'sent' (the printer accepted it).
    t.string("phase", 16).nullable();
    t.string("attempt_name", 191).nullable();
    t.string("printer_job_id", 64).nullable();
    t.string("printer_state", 32).nullable();
    t.string("error", 500).nullable();
    t.string("created_by", 191).nullable();
    t.bigInteger("created_at").notNullable();
    t.bigInteger("updated_at").notNullable();
    t.bigInteger("completed_at").nullable();
    t.index(["status", "next_attempt_at"]);
    t.index(["batch_id"]);
    t.index(["printer_id", "id"]);
  });
  await createTable(knex, "print_job_people", (t) => {
    t.integer("job_id").unsigned().notNullable().references("print_jobs.id").onDelete("CASCADE");
    t.integer("user_id").unsigned().notNullable().references("users.id").onDelete("CASCADE");
    t.integer("position").notNullable();
    t.primary(["job_id", "user_id"]);
    t.index(["user_id"]);
  });
  await createTable(knex, "print_queue", (t) => {
    t.integer("user_id").unsigned().primary().references("users.id").onDelete("CASCADE");
    t.integer("printer_id").unsigned().nullable().references("printers.id").onDelete("SET NULL");
    t.integer("job_id").unsigned().nullable().references("print_jobs.id").onDelete("SET NULL");
    t.string("queued_by", 191).nullable();
    t.bigInteger("queued_at").notNullable();
    t.index(["job_id"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists("print_queue");
  await knex.schema.dropTableIfExists("print_job_people");
  await knex.schema.dropTableIfExists("print_jobs");
  await knex.schema.dropTableIfExists("print_batches");
  await knex.schema.dropTableIfExists("printers");
}
