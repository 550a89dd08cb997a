import type { Config } from "../core/config.js";
import { nowMs } from "../core/db/convert.js";
import { dialectOf } from "../core/db/knex.js";
import type { Actor, EventBus } from "../core/events.js";
import type { Logger } from "../core/log.js";
import { type Notify, removeEmlFiles } from "../notify/index.js";
import type { UsersService } from "../people/index.js";
import { ConsentHistory } from "./consent-history.js";
import { exportPerson, type PersonExportDeps } from "./person-export.js";
import * as repo from "./privacy.repo.js";
import type { PrivacySettingsService } from "./privacy-settings.service.js";
import * as retention from "./retention.repo.js";

export type PrivacyServiceDeps = PersonExportDeps & {
  config: Pick<Config, "dataDir">;
  log: Logger;
  events: EventBus;
  users: Pick<UsersService, "get" | "erase">;
  notify: { outbox: Pick<Notify["outbox"], "forUser" | "forgetPerson" | "pruneFinished"> };
  privacySettings: Pick<PrivacySettingsService, "get">;
};

const DAY_MS = 86_400_000;

export type RetentionRun = { audit: number; deliveries: number; printJobs: number; kioskEntries: number };

/**
 * A person's rights over their data: erasure that leaves no copy behind, an export of
 * everything kept about them, their consent history; and retention, so that records about
 * people do not grow forever.
 */
export class PrivacyService {
  readonly consent: ConsentHistory;

  constructor(private deps: PrivacyServiceDeps) {
    this.consent = new ConsentHistory(deps.db);
    this.consent.listen(deps.events);
  }

  /**
   * Erases the person: their messages (rows and .eml files) first, while they can still be
   * found by the person's id, then the person, whose other rows go by the foreign keys. On
   * SQLite the deleted content is zeroed (secure_delete, knex.ts) and the WAL, which still
   * holds earlier versions of the pages, is checkpointed and truncated.
   */
  async erase(userId: number, actor: Actor): Promise<void> {
    await this.deps.users.get(userId);
    const messageIds = await this.deps.notify.outbox.forgetPerson(userId);
    await removeEmlFiles(this.deps.config.dataDir, messageIds);
    await this.deps.users.erase(userId, actor);
    await this.truncateWal();
  }

  exportPerson(userId: number) {
    return exportPerson(this.deps, this.consent, userId);
  }

  /** Deletes what is older than the retention settings allow (0 days: kept forever). */
  async applyRetention(now = nowMs()): Promise<RetentionRun> {
    const s = await this.deps.privacySettings.get();
    const cutoff = (days: number) => now - days * DAY_MS;
    const run: RetentionRun = { audit: 0, deliveries: 0, printJobs: 0, kioskEntries: 0 };
    if (s.auditRetentionDays > 0) run.audit = await retention.pruneAudit(this.deps.db, cutoff(s.auditRetentionDays));
    if (s.deliveryRetentionDays > 0) {
      for (;;) {
        const ids = await this.deps.notify.outbox.pruneFinished(cutoff(s.deliveryRetentionDays));
        await removeEmlFiles(this.deps.config.dataDir, ids);
        run.deliveries += ids.length;
        if (ids.length < 1000) break;
      }
    }
    if (s.printRetentionDays > 0) run.printJobs = await retention.prunePrintHistory(this.deps.db, cutoff(s.printRetentionDays));
    if (s.kioskRetentionDays > 0) {
      run.kioskEntries = await retention.pruneKioskHistory(this.deps.db, cutoff(s.kioskRetentionDays));
    }
    if (run.audit + run.deliveries + run.printJobs + run.kioskEntries > 0) {
      this.deps.log.info(run, "retention: deleted old records");
      await this.truncateWal();
    }
    return run;
  }

  /** Copies the WAL into the database and empties it; retried while a reader holds it. */
  private async truncateWal(): Promise<void> {
    if (dialectOf(this.deps.db) !== "sqlite") return;
    for (let attempt = 0; attempt < 20; attempt++) {
      if (await repo.truncateWal(this.deps.db)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    this.deps.log.warn("the SQLite WAL could not be truncated after an erasure; it will be at the next checkpoint");
  }
}
