import type { Knex } from "knex";
import * as m001 from "./001_foundation.js";
import * as m002 from "./002_invitations.js";
import * as m003 from "./003_outbox.js";
import * as m004 from "./004_phone_otp.js";
import * as m005 from "./005_webhooks.js";
import * as m006 from "./006_kiosks.js";
import * as m007 from "./007_printing.js";
import * as m008 from "./008_branding.js";
import * as m009 from "./009_status_count_shards.js";
import * as m010 from "./010_bulk_invites.js";
import * as m011 from "./011_work_queue.js";
import * as m012 from "./012_limit_locks.js";
import * as m013 from "./013_consent_history.js";
import * as m014 from "./014_admin_language.js";
import * as m015 from "./015_invitation_opened.js";
import * as m016 from "./016_imports_lease.js";
import * as m017 from "./017_print_job_plan.js";
import * as m018 from "./018_audit_summary_key.js";
import * as m019 from "./019_import_error_key.js";

/**
 * Migrations are listed here rather than discovered on disk, so that they run the same
 * under tsx, compiled output and the test runner. Append; never reorder or rename: the
 * order is pinned by test/core/migrations.test.ts, and migrations/README.md is the checklist.
 */
const migrations: Record<string, Knex.Migration> = {
  "001_foundation": m001,
  "002_invitations": m002,
  "003_outbox": m003,
  "004_phone_otp": m004,
  "005_webhooks": m005,
  // 006 and 007 were reserved for the kiosk and printing work landing after this one.
  "008_branding": m008,
  "009_status_count_shards": m009,
  "006_kiosks": m006,
  "007_printing": m007,
  "010_bulk_invites": m010,
  "011_work_queue": m011,
  "014_admin_language": m014,
  "012_limit_locks": m012,
  "013_consent_history": m013,
  "015_invitation_opened": m015,
  "016_imports_lease": m016,
  "017_print_job_plan": m017,
  "018_audit_summary_key": m018,
  "019_import_error_key": m019,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const migration = migrations[name];
    if (!migration) throw new Error(`unknown migration ${name}`);
    return migration;
  },
};
