import type { Knex } from "knex";
import { createTable } from "./support.js";

const STATUS_COUNT_SHARDS = 16;
const STATUSES = ["pending", "active", "deactivated"];

/**
 * The per-status counters, split into shards (a person's shard is id % 16). With one row per
 * status every join on MySQL/MariaDB locked the same two rows until its commit, so joins
 * queued behind each other's log flush; spread over shards they commit side by side. The
 * count of a status is the sum of its shards.
 */
export async function up(knex: Knex): Promise<void> {
  await createTable(knex, "user_status_count_shards", (t) => {
    t.string("status", 16).notNullable();
    t.integer("shard").notNullable();
    t.integer("n").notNullable();
    t.primary(["status", "shard"]);
  });
  const old: Array<{ status: string; n: unknown }> = await knex("user_status_counts").select("status", "n");
  const kept = new Map(old.map((r) => [r.status, Number(r.n)]));
  const rows = STATUSES.flatMap((status) =>
    Array.from({ length: STATUS_COUNT_SHARDS }, (_, shard) => ({ status, shard, n: shard === 0 ? (kept.get(status) ?? 0) : 0 })),
  );
  await knex("user_status_count_shards").insert(rows);
  await knex.schema.dropTable("user_status_counts");
}

export async function down(knex: Knex): Promise<void> {
  await createTable(knex, "user_status_counts", (t) => {
    t.string("status", 16).primary();
    t.integer("n").notNullable();
  });
  const sums: Array<{ status: string; n: unknown }> = await knex("user_status_count_shards")
    .select("status")
    .sum({ n: "n" })
    .groupBy("status");
  const byStatus = new Map(sums.map((r) => [r.status, Number(r.n)]));
  await knex("user_status_counts").insert(STATUSES.map((status) => ({ status, n: byStatus.get(status) ?? 0 })));
  await knex.schema.dropTable("user_status_count_shards");
}
