import type { User } from "../../server/people/index.js";
import type { Context } from "../../server/station.js";

/**
 * What a person's profile needs for paper invitations: the printers with their site's
 * default chosen, whether they wait for the overnight batch, and their recent print jobs.
 */
export function printingProfileExtras(ctx: Context) {
  return async (user: User) => {
    if (user.status !== "pending") return { printCard: null };
    const printers = await ctx.print.printers.list();
    const [suggested, entry, jobs] = await Promise.all([
      ctx.print.printers.defaultFor(user.site, printers),
      ctx.print.jobs.queueEntry(user.id),
      ctx.print.jobs.list({ userId: user.id, limit: 5 }),
    ]);
    const queuedOn = entry?.printerId ? (printers.find((p) => p.id === entry.printerId) ?? null) : null;
    return { printCard: { printers, suggested: suggested?.id ?? null, entry, queuedOn, jobs } };
  };
}
