import type { Knex } from "knex";

/**
 * Read-only reporting queries for the dashboard.
 *
 * This module reads other modules' tables (users, outbox, invitations, groups, group_members)
 * directly. That is a deliberate exception to "call the other module's
 * service, never its tables": it only reads, never writes, and a report that went through
 * each service would load whole lists to count them. Every query is plain SQL that runs on
 * SQLite and MySQL/MariaDB alike (integer arithmetic on BIGINT ms, no date functions).
 */

export const DAY_MS = 86_400_000;

const toInt = (v: unknown): number => Number(v ?? 0) || 0;

/** Pending people with at least one invitation email or SMS that went out (state `sent`). */
export async function invitedPendingCount(db: Knex): Promise<number> {
  const row = await db("users as u")
    .where("u.status", "pending")
    .whereExists((q) =>
      q
        .select(db.raw("1"))
        .from("outbox as o")
        .whereRaw("o.user_id = u.id")
        .where("o.state", "sent")
        .whereIn("o.channel", ["email", "sms"]),
    )
    .count({ n: "*" })
    .first();
  return toInt(row?.n);
}

/**
 * The funnel's middle steps, over everyone registered and not deactivated: people an
 * invitation email or SMS really reached a provider for (`sent`; a file or a log line is
 * not an invitation), and people who opened their link's page.
 */
export async function funnelCounts(db: Knex): Promise<{ invited: number; opened: number; groups: number }> {
  const [invited, opened, groups] = await Promise.all([
    db("users as u")
      .whereIn("u.status", ["pending", "active"])
      .whereExists((q) =>
        q
          .select(db.raw("1"))
          .from("outbox as o")
          .whereRaw("o.user_id = u.id")
          .where("o.state", "sent")
          .whereIn("o.channel", ["email", "sms"]),
      )
      .count({ n: "*" })
      .first(),
    db("users as u")
      .whereIn("u.status", ["pending", "active"])
      .whereExists((q) => q.select(db.raw("1")).from("invitations as i").whereRaw("i.user_id = u.id").whereNotNull("i.opened_at"))
      .count({ n: "*" })
      .first(),
    db("groups").count({ n: "*" }).first(),
  ]);
  return { invited: toInt(invited?.n), opened: toInt(opened?.n), groups: toInt(groups?.n) };
}

/** Active people per join channel (null when a channel was never recorded). */
export async function joinsPerChannel(db: Knex): Promise<Array<{ channel: string | null; n: number }>> {
  const rows: Array<{ channel: string | null; n: unknown }> = await db("users")
    .where("status", "active")
    .select({ channel: "joined_channel" })
    .count({ n: "*" })
    .groupBy("joined_channel");
  return rows.map((r) => ({ channel: r.channel, n: toInt(r.n) }));
}

/**
 * Joins of active people since `fromMs`, per UTC day: `joined_at - joined_at % DAY` is the
 * day's first millisecond on both dialects (BIGINT integer arithmetic, no FLOOR needed).
 */
export async function joinsPerDay(db: Knex, fromMs: number): Promise<Array<{ dayMs: number; n: number }>> {
  const day = db.raw("joined_at - (joined_at % ?)", [DAY_MS]);
  const rows: Array<{ day_ms: unknown; n: unknown }> = await db("users")
    .where("status", "active")
    .where("joined_at", ">=", fromMs)
    .select({ day_ms: day })
    .count({ n: "*" })
    .groupByRaw("joined_at - (joined_at % ?)", [DAY_MS]);
  return rows.map((r) => ({ dayMs: toInt(r.day_ms), n: toInt(r.n) }));
}

/** `members` counts everyone in the group, deactivated people included. */
export type GroupBacklogRow = { id: number; name: string; notJoined: number; joined: number; members: number };

/** The groups with the most pending members (deactivated people are not waited for), most first. */
export async function groupsWithMostPending(db: Knex, limit: number): Promise<GroupBacklogRow[]> {
  const pending = "SUM(CASE WHEN gm.status = 'pending' THEN 1 ELSE 0 END)";
  const active = "SUM(CASE WHEN gm.status = 'active' THEN 1 ELSE 0 END)";
  const rows: Array<{ id: unknown; name: string; not_joined: unknown; joined: unknown; members: unknown }> = await db(
    "group_members as gm",
  )
    .join("groups as g", "g.id", "gm.group_id")
    .select("g.id", "g.name", db.raw(`${pending} as not_joined`), db.raw(`${active} as joined`), db.raw("COUNT(*) as members"))
    .groupBy("g.id", "g.name")
    .havingRaw(`${pending} > 0`)
    .orderByRaw(`${pending} desc`)
    .orderBy("g.name", "asc")
    .orderBy("g.id", "asc")
    .limit(limit);
  return rows.map((r) => ({
    id: toInt(r.id),
    name: r.name,
    notJoined: toInt(r.not_joined),
    joined: toInt(r.joined),
    members: toInt(r.members),
  }));
}
