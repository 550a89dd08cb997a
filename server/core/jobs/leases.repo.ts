import type { Knex } from "knex";

/** Job leases whose holder let them expire without finishing or releasing them (both clear the holder). */
export async function abandonedLeases(db: Knex, now: number) {
  const rows = await db("job_leases")
    .whereNotNull("lease_owner")
    .andWhere("lease_expires_at", "<", now)
    .select("name", "lease_owner");
  return rows.map((r) => ({ name: String(r.name), holder: String(r.lease_owner) }));
}

export async function heldLeases(db: Knex, now: number): Promise<number> {
  const row = await db("job_leases").whereNotNull("lease_owner").where("lease_expires_at", ">=", now).count({ n: "*" }).first();
  return Number(row?.n ?? 0);
}
