import type { Knex } from "knex";

/**
 * createTable with the MySQL table options both dialects need to behave alike:
 * utf8mb4 for any script, binary collation so that comparisons, uniqueness and ordering
 * match SQLite's (normalized columns carry the case- and accent-folding).
 */
export function createTable(knex: Knex, name: string, build: (t: Knex.CreateTableBuilder) => void) {
  return knex.schema.createTable(name, (t) => {
    if (knex.client.config.client === "mysql2") {
      t.charset("utf8mb4");
      t.collate("utf8mb4_bin");
      t.engine("InnoDB");
    }
    build(t);
  });
}
