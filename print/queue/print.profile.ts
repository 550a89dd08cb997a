import type { User } from "../../server/people/index.js";
import type { PrintersService } from "../printers/printers.service.js";
import type { PrintJobsService } from "./print-jobs.service.js";

/**
 * What a person's profile needs for paper invitations: the printers with their site's
 * default chosen, whether they wait for the overnight batch, and their recent print jobs.
 */
export function printingProfileExtras(deps: {
  printers: Pick<PrintersService, "list" | "defaultFor">;
  jobs: Pick<PrintJobsService, "queueEntry" | "list">;
}) {
  return async (user: User) => {
    if (user.status !== "pending") return { printCard: null };
    const printers = await deps.printers.list();
    const [suggested, entry, jobs] = await Promise.all([
      deps.printers.defaultFor(user.site, printers),
      deps.jobs.queueEntry(user.id),
      deps.jobs.list({ userId: user.id, limit: 5 }),
    ]);
    const queuedOn = entry?.printerId ? (printers.find((p) => p.id === entry.printerId) ?? null) : null;
    return { printCard: { printers, suggested: suggested?.id ?? null, entry, queuedOn, jobs } };
  };
}
