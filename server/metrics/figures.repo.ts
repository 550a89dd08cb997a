import type { Knex } from "knex";

/**
 * Read-only figures for /metrics and /readyz, counted at scrape time. They describe the
 * whole installation (every instance reads the same rows), not one process.
 */

export async function outboxByChannelAndState(db: Knex) {
  const rows = (await db("outbox").select("channel", "state").count({ n: "*" }).groupBy("channel", "state")) as Array<
    Record<string, unknown>
  >;
  return rows.map((r) => ({ channel: String(r.channel), state: String(r.state), n: Number(r.n) }));
}

/** Queued messages still waiting after a retry (attempts > 0), by channel. */
export async function outboxRetrying(db: Knex) {
  const rows = (await db("outbox")
    .where({ state: "queued" })
    .andWhere("attempts", ">", 0)
    .select("channel")
    .count({ n: "*" })
    .groupBy("channel")) as Array<Record<string, unknown>>;
  return rows.map((r) => ({ channel: String(r.channel), n: Number(r.n) }));
}

/** Messages due before `before` and not sent yet: work the outbox workers are behind on. */
export async function outboxOverdue(db: Knex, before: number): Promise<number> {
  const row = await db("outbox").where({ state: "queued" }).andWhere("next_attempt_at", "<", before).count({ n: "*" }).first();
  return Number(row?.n ?? 0);
}

export async function printJobsByState(db: Knex) {
  const rows = (await db("print_jobs").select("status").count({ n: "*" }).groupBy("status")) as Array<Record<string, unknown>>;
  return rows.map((r) => ({ state: String(r.status), n: Number(r.n) }));
}

/** Letters (one page each) in completed print jobs, by printer name. */
export async function lettersPrintedByPrinter(db: Knex) {
  const rows = (await db("print_jobs")
    .where({ status: "completed" })
    .select("printer_name")
    .sum({ n: "letters" })
    .groupBy("printer_name")) as Array<Record<string, unknown>>;
  return rows.map((r) => ({ printer: String(r.printer_name), n: Number(r.n ?? 0) }));
}
