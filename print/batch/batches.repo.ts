import type { Knex } from "knex";
import { fromDbTime } from "../../server/core/db/convert.js";
import type { Batch } from "./batch.types.js";

type BatchRow = {
  id: number;
  trigger: string;
  started_by: string | null;
  jobs: number;
  letters: number;
  started_at: number | string;
  finished_at: number | string | null;
};

const toBatch = (r: BatchRow): Batch => ({
  id: Number(r.id),
  trigger: r.trigger,
  startedBy: r.started_by,
  jobs: Number(r.jobs),
  letters: Number(r.letters),
  startedAt: fromDbTime(r.started_at) as string,
  finishedAt: fromDbTime(r.finished_at),
});

export async function insertBatch(db: Knex, b: { trigger: string; startedBy: string; now: number }): Promise<number> {
  const [id] = await db("print_batches").insert({
    trigger: b.trigger,
    started_by: b.startedBy.slice(0, 191),
    jobs: 0,
    letters: 0,
    started_at: b.now,
  });
  return Number(id);
}

export async function findBatch(db: Knex, id: number): Promise<Batch | null> {
  const row = await db("print_batches").where({ id }).first();
  return row ? toBatch(row) : null;
}

export async function recentBatches(db: Knex, limit: number): Promise<Batch[]> {
  return (await db("print_batches").orderBy("id", "desc").limit(limit)).map(toBatch);
}

/** What the plan made; `finishedAt` when it made no job (nothing more will finish it). */
export async function recordPlan(db: Knex, id: number, plan: { jobs: number; letters: number; finishedAt: number | null }) {
  await db("print_batches")
    .where({ id })
    .update({ jobs: plan.jobs, letters: plan.letters, ...(plan.finishedAt === null ? {} : { finished_at: plan.finishedAt }) });
}

/** Marks the batch finished; true only for the one caller that did (the summary is sent once). */
export async function closeBatch(db: Knex, id: number, now: number): Promise<boolean> {
  const n = await db("print_batches").where({ id }).whereNull("finished_at").update({ finished_at: now });
  return Number(n) === 1;
}
