import type { Context } from "../station.js";
import type { ConsentHistory } from "./consent-history.js";
import * as data from "./person-data.repo.js";

type Deps = Pick<Context, "db" | "users" | "audit" | "notify" | "settings">;

/**
 * Everything stored about one person, as one JSON document for an access request: their
 * details and groups, consent history, invitations (dates and states, never the link or
 * code), messages sent to them, letters printed, kiosk appearances, self-service phone
 * codes (dates, never the codes), where they were imported from, and the audit trail
 * about them.
 */
export async function exportPerson(deps: Deps, consent: ConsentHistory, userId: number) {
  const person = await deps.users.get(userId);
  const [consentHistory, invitations, deliveries, printing, kiosks, phoneCodes, importedFrom, audit, settings] =
    await Promise.all([
      consent.of(userId),
      data.invitationsOf(deps.db, userId),
      deps.notify.outbox.forUser(userId, 10_000),
      data.printHistoryOf(deps.db, userId),
      data.kioskHistoryOf(deps.db, userId),
      data.phoneCodesOf(deps.db, userId),
      data.importOriginOf(deps.db, userId),
      deps.audit.forTarget("user", userId, 10_000),
      deps.settings.get(),
    ]);
  return {
    exportedAt: new Date().toISOString(),
    organization: settings.organizationName,
    person,
    consentHistory,
    invitations,
    deliveries: deliveries.map((d) => ({
      id: d.id,
      channel: d.channel,
      recipient: d.recipient,
      summary: d.summary,
      state: d.state,
      createdAt: d.createdAt,
      sentAt: d.sentAt,
      lastError: d.lastError,
    })),
    printing,
    kiosks,
    phoneCodes,
    importedFrom,
    auditTrail: audit.map((a) => ({ at: a.at, action: a.action, by: a.actorLabel, summary: a.summary })),
  };
}
