import type { Knex } from "knex";

/**
 * A print job carries its plan, so that the worker prints from what is stored (issue 12):
 *
 * - `print_job_people` gets each letter's words as planned: the person's names, department,
 *   site and language. They live with the person's row there, so erasing the person (the
 *   row goes, ON DELETE CASCADE) takes them along. The link is never stored: it is a
 *   secret, read when the letter is drawn.
 * - `print_jobs.cover` is the cover sheet of a batch job as planned (JSON: its title, the
 *   printer's name and site, when the batch started); the names on it are the job's letters.
 *
 * Jobs not yet settled when this runs get their plan from today's data, as the worker
 * would have read it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("print_job_people", (t) => {
    t.string("first_name", 191).nullable();
    t.string("last_name", 191).nullable();
    t.string("department", 191).nullable();
    t.string("site", 191).nullable();
    t.string("language", 8).nullable();
  });
  await knex.schema.alterTable("print_jobs", (t) => {
    t.text("cover").nullable();
  });

  const open: Array<Record<string, unknown>> = await knex("print_jobs")
    .whereIn("status", ["queued", "processing", "unconfirmed"])
    .select("id", "kind", "batch_id", "printer_id", "printer_name");
  for (const job of open) {
    const people: Array<Record<string, unknown>> = await knex("print_job_people as p")
      .join("users as u", "u.id", "p.user_id")
      .where("p.job_id", job.id as number)
      .select("p.user_id", "u.first_name", "u.last_name", "u.department", "u.site", "u.language");
    for (const p of people) {
      await knex("print_job_people")
        .where({ job_id: job.id as number, user_id: p.user_id as number })
        .update({
          first_name: p.first_name,
          last_name: p.last_name,
          department: p.department,
          site: p.site,
          language: p.language,
        });
    }
    if (job.kind !== "batch" || job.batch_id === null) continue;
    const batch = await knex("print_batches")
      .where({ id: job.batch_id as number })
      .first("started_at");
    const printer =
      job.printer_id === null
        ? null
        : await knex("printers")
            .where({ id: job.printer_id as number })
            .first("site");
    if (!batch) continue;
    const cover = {
      title: `Overnight batch #${Number(job.batch_id)}`,
      printerName: job.printer_name,
      site: printer?.site ?? null,
      createdAt: Number(batch.started_at),
    };
    await knex("print_jobs")
      .where({ id: job.id as number })
      .update({ cover: JSON.stringify(cover) });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("print_jobs", (t) => t.dropColumn("cover"));
  await knex.schema.alterTable("print_job_people", (t) => {
    t.dropColumn("first_name");
    t.dropColumn("last_name");
    t.dropColumn("department");
    t.dropColumn("site");
    t.dropColumn("language");
  });
}
