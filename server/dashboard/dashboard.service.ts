import type { Knex } from "knex";
import { nowMs } from "../core/db/convert.js";
import { JOIN_CHANNELS } from "../invitations/index.js";
import { statusCounts } from "../people/index.js";
import * as repo from "./dashboard.repo.js";

/** How many days the joins-over-time chart covers, today included. */
export const CHART_DAYS = 30;
/** How many groups the "most people not joined" list shows. */
export const TOP_GROUPS = 5;

export type DashboardSummary = {
  counts: {
    /** Registered, not joined yet (invited or not). */
    pending: number;
    /** Pending people at least one invitation email or SMS reached the provider for. */
    invited: number;
    /** Pending people nothing was sent to yet (they may still have a link, a QR code or a letter). */
    notInvited: number;
    /** Joined and still active. */
    joined: number;
    deactivated: number;
    /** Everyone registered and not deactivated. */
    total: number;
  };
  /** Every known channel (zeros included, most used first), then any unrecorded ones. */
  channels: Array<{ channel: string; n: number; share: number }>;
  /** One entry per UTC day, oldest first, ending today. */
  joinsByDay: Array<{ day: string; n: number }>;
  joinsInPeriod: number;
  groups: repo.GroupBacklogRow[];
  /** How many groups exist at all (none: there is no "every group has joined" to say). */
  groupCount: number;
  /** registered → invited → opened → joined, over everyone not deactivated. */
  funnel: { registered: number; invited: number; opened: number; joined: number };
  generatedAt: string;
};

/** Figures for the admins' home page. Read-only; see dashboard.repo.ts for why it reads other tables. */
export class DashboardService {
  constructor(private readonly db: Knex) {}

  async summary(now: number = nowMs()): Promise<DashboardSummary> {
    const today = now - (now % repo.DAY_MS);
    const from = today - (CHART_DAYS - 1) * repo.DAY_MS;
    const [statuses, invited, channelRows, dayRows, groups, funnel] = await Promise.all([
      // People per status, from the counters people keeps in step (no scan of `users`).
      statusCounts(this.db),
      repo.invitedPendingCount(this.db),
      repo.joinsPerChannel(this.db),
      repo.joinsPerDay(this.db, from),
      repo.groupsWithMostPending(this.db, TOP_GROUPS),
      repo.funnelCounts(this.db),
    ]);
    const pending = statuses.pending ?? 0;
    const joined = statuses.active ?? 0;
    const deactivated = statuses.deactivated ?? 0;

    const perChannel = new Map<string, number>(JOIN_CHANNELS.map((c) => [c, 0]));
    for (const r of channelRows) {
      const key = r.channel ?? "unknown";
      perChannel.set(key, (perChannel.get(key) ?? 0) + r.n);
    }
    const channelTotal = [...perChannel.values()].reduce((a, b) => a + b, 0);
    const channels = [...perChannel]
      .map(([channel, n]) => ({ channel, n, share: channelTotal ? n / channelTotal : 0 }))
      .sort((a, b) => b.n - a.n);

    const perDay = new Map(dayRows.map((r) => [r.dayMs, r.n]));
    const joinsByDay = Array.from({ length: CHART_DAYS }, (_, i) => {
      const dayMs = from + i * repo.DAY_MS;
      return { day: new Date(dayMs).toISOString().slice(0, 10), n: perDay.get(dayMs) ?? 0 };
    });

    return {
      counts: {
        pending,
        invited: Math.min(invited, pending),
        notInvited: Math.max(0, pending - invited),
        joined,
        deactivated,
        total: pending + joined,
      },
      channels,
      joinsByDay,
      joinsInPeriod: joinsByDay.reduce((a, d) => a + d.n, 0),
      groups,
      groupCount: funnel.groups,
      funnel: { registered: pending + joined, invited: funnel.invited, opened: funnel.opened, joined },
      generatedAt: new Date(now).toISOString(),
    };
  }
}
