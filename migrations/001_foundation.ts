import type { Knex } from "knex";
import { createTable } from "./support.js";

/**
 * Foundation tables. Rules (see migrations/README.md): times are BIGINT UTC milliseconds,
 * booleans are boolean() (0/1), indexed strings are at most 191 characters, no enu columns.
 */
export async function up(knex: Knex): Promise<void> {
  await createTable(knex, "admins", (t) => {
    t.increments("id");
    t.string("email", 191).notNullable();
    t.string("email_normalized", 191).notNullable().unique();
    t.string("name", 191).notNullable();
    t.string("role", 16).notNullable();
    t.string("password_hash", 255).notNullable();
    t.bigInteger("created_at").notNullable();
    t.bigInteger("updated_at").notNullable();
    t.bigInteger("disabled_at").nullable();
  });

  await createTable(knex, "sessions", (t) => {
    t.string("id_hash", 64).primary();
    t.integer("admin_id").unsigned().notNullable().references("admins.id").onDelete("CASCADE");
    t.bigInteger("created_at").notNullable();
    t.bigInteger("expires_at").notNullable().index();
    t.bigInteger("last_seen_at").notNullable();
    t.string("ip", 64).nullable();
    t.string("user_agent", 255).nullable();
  });

  await createTable(knex, "setup_tokens", (t) => {
    t.string("token_hash", 64).primary();
    t.bigInteger("created_at").notNullable();
    t.bigInteger("expires_at").notNullable();
    t.bigInteger("used_at").nullable();
  });

  await createTable(knex, "login_attempts", (t) => {
    t.increments("id");
    t.string("email_normalized", 191).notNullable();
    t.string("ip", 64).notNullable();
    t.boolean("succeeded").notNullable();
    t.bigInteger("at").notNullable();
    t.index(["email_normalized", "at"]);
    t.index(["ip", "at"]);
  });

  await createTable(knex, "api_keys", (t) => {
    t.increments("id");
    t.string("name", 191).notNullable();
    t.string("prefix", 16).notNullable();
    t.string("key_hash", 64).notNullable().unique();
    t.text("scopes").notNullable();
    t.integer("created_by").unsigned().nullable().references("admins.id").onDelete("SET NULL");
    t.bigInteger("created_at").notNullable();
    t.bigInteger("last_used_at").nullable();
    t.bigInteger("revoked_at").nullable();
  });

  await createTable(knex, "users", (t) => {
    t.increments("id");
    t.string("first_name", 191).notNullable();
    t.string("last_name", 191).notNullable();
    t.string("email", 191).nullable();
    t.string("email_normalized", 191).nullable().unique();
    t.string("phone", 32).nullable().unique();
    t.boolean("phone_consent").notNullable().defaultTo(false);
    t.bigInteger("phone_consent_at").nullable();
    t.string("phone_consent_by", 191).nullable();
    t.string("employee_id", 64).nullable();
    t.string("employee_id_normalized", 64).nullable().unique();
    t.string("department", 191).nullable();
    t.string("site", 191).nullable();
    t.string("language", 8).notNullable();
    t.string("status", 16).notNullable();
    // Lower-cased, accent-free "last first" for sorting.
    t.string("sort_name", 191).notNullable();
    t.bigInteger("created_at").notNullable();
    t.bigInteger("updated_at").notNullable();
    t.bigInteger("joined_at").nullable();
    t.bigInteger("deactivated_at").nullable();
    // Where an imported person came from: the import and its CSV line.
    t.integer("import_id").unsigned().nullable();
    t.integer("import_row").unsigned().nullable();
    t.index(["import_id", "import_row"]);
    // The users list: each filter and sort has an index that serves it, and counts per
    // status under a filter are read from narrow covering indexes (see bench/).
    t.index(["status", "sort_name"]);
    t.index(["status", "created_at"]);
    t.index(["sort_name"]);
    t.index(["created_at"]);
    t.index(["department", "sort_name"]);
    t.index(["department", "status"]);
    t.index(["site", "sort_name"]);
    t.index(["site", "status"]);
  });

  // Inverted index for search: every word of a person's name, email, phone and employee id.
  // Copies of status and sort key (kept in step by users.repo) let a search count and
  // page its matches from this table's index alone.
  await createTable(knex, "user_search_terms", (t) => {
    t.string("term", 191).notNullable();
    t.integer("user_id").unsigned().notNullable().references("users.id").onDelete("CASCADE");
    t.string("status", 16).notNullable();
    t.string("sort_name", 191).notNullable();
    t.primary(["term", "user_id"]);
    // InnoDB stores rows in primary-key order, so there a term range already reads status
    // and sort key; SQLite keeps rows apart from the key and needs this covering index.
    if (knex.client.config.client !== "mysql2") t.index(["term", "status", "sort_name", "user_id"]);
    // Covering, for the second word of a search ("maria lopez") checked per person.
    t.index(["user_id", "term", "status", "sort_name"]);
  });

  await createTable(knex, "groups", (t) => {
    t.increments("id");
    t.string("name", 191).notNullable();
    t.string("name_normalized", 191).notNullable().unique();
    t.bigInteger("created_at").notNullable();
    t.bigInteger("updated_at").notNullable();
  });

  await createTable(knex, "group_members", (t) => {
    t.integer("group_id").unsigned().notNullable().references("groups.id").onDelete("CASCADE");
    t.integer("user_id").unsigned().notNullable().references("users.id").onDelete("CASCADE");
    t.bigInteger("added_at").notNullable();
    // Copies of the member's status and sort key, kept in step by users.repo, so that a
    // group's page and its counts are read from this table's indexes alone.
    t.string("status", 16).notNullable();
    t.string("sort_name", 191).notNullable();
    t.primary(["group_id", "user_id"]);
    t.index(["user_id"]);
    t.index(["group_id", "status"]);
    t.index(["group_id", "sort_name", "user_id"]);
  });

  // People per status, kept by users.repo in the same transactions as the people
  // themselves (and recounted at start), so the unfiltered list never counts 100,000 rows.
  await createTable(knex, "user_status_counts", (t) => {
    t.string("status", 16).primary();
    t.integer("n").notNullable();
  });
  await knex("user_status_counts").insert(["pending", "active", "deactivated"].map((status) => ({ status, n: 0 })));

  await createTable(knex, "audit_log", (t) => {
    t.increments("id");
    t.bigInteger("at").notNullable().index();
    t.string("actor_type", 16).notNullable();
    t.string("actor_id", 64).nullable();
    t.string("actor_label", 191).notNullable();
    t.string("action", 64).notNullable().index();
    t.string("target_type", 32).nullable();
    t.string("target_id", 64).nullable();
    t.string("summary", 500).notNullable();
    t.string("ip", 64).nullable();
    t.index(["target_type", "target_id"]);
  });

  await createTable(knex, "settings", (t) => {
    t.string("key", 64).primary();
    t.text("value").notNullable();
    t.bigInteger("updated_at").notNullable();
  });

  await createTable(knex, "imports", (t) => {
    t.increments("id");
    t.string("filename", 191).notNullable();
    t.string("file_path", 500).notNullable();
    t.string("state", 16).notNullable();
    t.integer("total_rows").notNullable().defaultTo(0);
    t.integer("processed_rows").notNullable().defaultTo(0);
    t.integer("valid_rows").notNullable().defaultTo(0);
    t.integer("invalid_rows").notNullable().defaultTo(0);
    t.integer("imported_rows").notNullable().defaultTo(0);
    // MEDIUMTEXT on MySQL: the report keeps up to 1,000 row errors, beyond TEXT's 64 KB.
    t.text("report", "mediumtext").nullable();
    t.string("error", 500).nullable();
    t.string("created_by", 191).notNullable();
    t.bigInteger("created_at").notNullable();
    t.bigInteger("updated_at").notNullable();
  });

  // Scheduled jobs run once across instances: whoever holds the lease runs the job.
  await createTable(knex, "job_leases", (t) => {
    t.string("name", 64).primary();
    t.string("holder", 128).notNullable();
    t.bigInteger("expires_at").notNullable();
    // The scheduled minute last run, so that instances whose clocks differ slightly do not each run it.
    t.bigInteger("last_slot").nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    "job_leases",
    "imports",
    "settings",
    "audit_log",
    "user_status_counts",
    "group_members",
    "groups",
    "user_search_terms",
    "users",
    "api_keys",
    "login_attempts",
    "setup_tokens",
    "sessions",
    "admins",
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
