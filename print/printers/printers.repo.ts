import type { Knex } from "knex";
import { fromDbBool, fromDbTime, toDbBool } from "../../server/core/db/convert.js";
import type { DriverName, Sides } from "../drivers/driver.js";
import type { Printer, PrinterValues } from "./printers.types.js";

export type PrinterRow = {
  id: number;
  name: string;
  name_normalized: string;
  site: string | null;
  driver: string;
  uri: string;
  paper: string;
  sides: string;
  copies: number;
  site_default: unknown;
  username: string | null;
  password_sealed: string | null;
  created_at: number | string;
  updated_at: number | string;
};

export const toPrinter = (row: PrinterRow): Printer => ({
  id: Number(row.id),
  name: row.name,
  site: row.site,
  driver: row.driver as DriverName,
  uri: row.uri,
  paper: row.paper as Printer["paper"],
  sides: row.sides as Sides,
  copies: Number(row.copies),
  siteDefault: fromDbBool(row.site_default),
  username: row.username,
  hasPassword: Boolean(row.password_sealed),
  createdAt: fromDbTime(row.created_at) as string,
  updatedAt: fromDbTime(row.updated_at) as string,
});

export const normalizeName = (name: string) => name.trim().toLowerCase().normalize("NFC");

const columns = (v: PrinterValues) => ({
  name: v.name,
  name_normalized: normalizeName(v.name),
  site: v.site,
  driver: v.driver,
  uri: v.uri,
  paper: v.paper,
  sides: v.sides,
  copies: v.copies,
  site_default: toDbBool(v.siteDefault),
  username: v.username,
});

export async function insertPrinter(db: Knex, v: PrinterValues, passwordSealed: string | null, now: number): Promise<number> {
  const [id] = await db("printers").insert({ ...columns(v), password_sealed: passwordSealed, created_at: now, updated_at: now });
  return Number(id);
}

/** `passwordSealed` undefined keeps the stored one. */
export async function updatePrinter(
  db: Knex,
  id: number,
  v: PrinterValues,
  passwordSealed: string | null | undefined,
  now: number,
) {
  const row: Record<string, unknown> = { ...columns(v), updated_at: now };
  if (passwordSealed !== undefined) row.password_sealed = passwordSealed;
  return Number(await db("printers").where({ id }).update(row)) === 1;
}

export const findPrinter = (db: Knex, id: number): Promise<PrinterRow | undefined> => db("printers").where({ id }).first();

export const findByName = (db: Knex, name: string): Promise<PrinterRow | undefined> =>
  db("printers")
    .where({ name_normalized: normalizeName(name) })
    .first();

export const listPrinters = (db: Knex): Promise<PrinterRow[]> =>
  db("printers")
    .select("*")
    .orderBy([{ column: "site" }, { column: "name" }]);

/** Only one default per site (and one for "no site"). */
export async function clearSiteDefault(db: Knex, site: string | null, exceptId: number): Promise<void> {
  const q = db("printers").whereNot({ id: exceptId });
  await (site === null ? q.whereNull("site") : q.where({ site })).update({ site_default: toDbBool(false) });
}

export async function deletePrinter(db: Knex, id: number): Promise<boolean> {
  return Number(await db("printers").where({ id }).delete()) === 1;
}
