import type { Knex } from "knex";

export type AssetRow = {
  name: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  data: string;
  updated_at: number;
};

export async function getAsset(db: Knex, name: string): Promise<AssetRow | undefined> {
  const row = await db("branding_assets").where({ name }).first();
  return (
    row && {
      ...row,
      width: Number(row.width),
      height: Number(row.height),
      bytes: Number(row.bytes),
      updated_at: Number(row.updated_at),
    }
  );
}

export async function putAsset(db: Knex, row: AssetRow): Promise<void> {
  await db("branding_assets").insert(row).onConflict("name").merge();
}

export async function deleteAsset(db: Knex, name: string): Promise<number> {
  return Number(await db("branding_assets").where({ name }).delete());
}
