import type { Knex } from "knex";
import type { Admin, Role } from "../core/auth/principals.js";
import { fromDbTime } from "../core/db/convert.js";

export { type Admin, ROLES, type Role } from "../core/auth/principals.js";

type Row = {
  id: number;
  email: string;
  name: string;
  role: string;
  password_hash: string;
  created_at: number;
  disabled_at: number | null;
  language?: string | null;
};

export const toAdmin = (r: Row): Admin => ({
  id: Number(r.id),
  email: r.email,
  name: r.name,
  role: r.role as Role,
  createdAt: fromDbTime(r.created_at) as string,
  disabledAt: fromDbTime(r.disabled_at),
  language: r.language ?? null,
});

export async function countAdmins(db: Knex): Promise<number> {
  const row = await db("admins").count({ n: "*" }).first();
  return Number(row?.n ?? 0);
}

export async function findByEmail(db: Knex, emailNormalized: string): Promise<Row | undefined> {
  return db("admins").where({ email_normalized: emailNormalized }).first();
}

export async function findById(db: Knex, id: number): Promise<Row | undefined> {
  return db("admins").where({ id }).first();
}

export async function listAdmins(db: Knex): Promise<Admin[]> {
  const rows = await db("admins").orderBy("name");
  return rows.map(toAdmin);
}

export async function insertAdmin(
  db: Knex,
  a: { email: string; emailNormalized: string; name: string; role: Role; passwordHash: string; now: number },
): Promise<number> {
  const [id] = await db("admins").insert({
    email: a.email,
    email_normalized: a.emailNormalized,
    name: a.name,
    role: a.role,
    password_hash: a.passwordHash,
    created_at: a.now,
    updated_at: a.now,
  });
  return Number(id);
}

export async function updateAdmin(
  db: Knex,
  id: number,
  fields: Partial<{ role: Role; password_hash: string; disabled_at: number | null; name: string; language: string | null }> & {
    updated_at: number;
  },
) {
  await db("admins").where({ id }).update(fields);
}

export async function countActiveAdminsWithRole(db: Knex, role: Role): Promise<number> {
  const row = await db("admins").where({ role }).whereNull("disabled_at").count({ n: "*" }).first();
  return Number(row?.n ?? 0);
}
