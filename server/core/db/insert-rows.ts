import type { Knex } from "knex";

/**
 * Bulk insert as plain multi-row `INSERT … VALUES` on both dialects. Knex compiles a
 * multi-row insert on SQLite as `INSERT … SELECT … UNION ALL`, which is markedly slower
 * for imports of tens of thousands of rows. Values must already be in their stored form.
 */
export async function insertRows(db: Knex, table: string, rows: Array<Record<string, unknown>>, batch = 500): Promise<void> {
  const first = rows[0];
  if (!first) return;
  const columns = Object.keys(first);
  const tuple = `(${columns.map(() => "?").join(",")})`;
  for (let i = 0; i < rows.length; i += batch) {
    const chunk = rows.slice(i, i + batch);
    const bindings: unknown[] = [table, ...columns];
    for (const row of chunk) for (const c of columns) bindings.push(row[c] ?? null);
    await db.raw(
      `INSERT INTO ?? (${columns.map(() => "??").join(",")}) VALUES ${chunk.map(() => tuple).join(",")}`,
      bindings as Knex.RawBinding[],
    );
  }
}
