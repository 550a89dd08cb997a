import type { Knex } from "knex";
import type { EventBus } from "../core/events.js";
import { saySummary } from "../core/events.js";
import type { Feature } from "../core/feature.js";
import type { TFunction } from "../core/i18n/index.js";
import type { UsersService } from "../people/index.js";
import { auditPages } from "./audit.routes.js";
import { AuditLog } from "./audit.service.js";
import type { AuditEntry } from "./audit.types.js";

/** The feature's public face: other features import it only from here. */
export type { AuditLog } from "./audit.service.js";
export type { AuditEntry } from "./audit.types.js";

export type AuditDeps = {
  db: Knex;
  /** Every event on the bus becomes a line. */
  events: EventBus;
  /** The page names the people the lines are about. */
  users: Pick<UsersService, "namesOf">;
};

/** The audit log: listens to every event (from now on) and shows them to admins (/audit). */
export function createAudit(deps: AuditDeps): Feature & {
  audit: AuditLog;
  /** The profile page's section: the person's audit trail, newest first. */
  profile: (user: { id: number; firstName: string; lastName: string }, t: TFunction) => Promise<{ history: AuditEntry[] }>;
} {
  const audit = new AuditLog(deps.db);
  audit.listen(deps.events);
  return {
    name: "audit",
    audit,
    pages: [auditPages({ audit, users: deps.users })],
    profile: async (user, t) => {
      const lines = await audit.forTarget("user", user.id);
      // The person's own history names them; what it says, in the reader's language.
      const names = new Map([[user.id, `${user.firstName} ${user.lastName}`]]);
      return { history: lines.map((line) => ({ ...line, summary: saySummary(t, line, names) })) };
    },
  };
}
