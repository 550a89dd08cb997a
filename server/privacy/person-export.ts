import type { Knex } from "knex";
import type { AuditLog } from "../audit/index.js";
import type { Notify } from "../notify/index.js";
import type { UsersService } from "../people/index.js";
import type { SettingsService } from "../settings/index.js";
import type { ConsentHistory } from "./consent-history.js";
import * as data from "./person-data.repo.js";

export type PersonExportDeps = {
  db: Knex;
  users: Pick<UsersService, "get">;
  audit: Pick<AuditLog, "forTarget">;
  notify: { outbox: Pick<Notify["outbox"], "forUser"> };
  settings: Pick<SettingsService, "get">;
};

/**
 * Everything stored about one person, as one JSON document for an access request: their
 * details and groups, consent history, invitations (dates and states, never the link or
 * code), messages sent to them, letters printed, kiosk appearances, self-service phone
 * codes (dates, never the codes), where they were imported from, and the audit trail
 * about them.
 */
export async function exportPerson(deps: PersonExportDeps, consent: ConsentHistory, userId: number) {
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
