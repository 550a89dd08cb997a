import type { Knex } from "knex";
import { insertMemberships, memberGroupIds } from "../groups.repo.js";
import { normalizeEmail, normalizeEmployeeId } from "../normalize.js";
import { findRow, type UserRow, updateUserRow } from "../users.repo.js";
import type { PreparedRow } from "./row-check.js";

/** How the person's phone comes in: as the row has it (with its consent), or left out. */
export type PhoneIn = { phone: string; consentBy: string } | null;

/**
 * "Update existing": the registered person takes the values the row gives (a blank cell
 * never erases what is registered), the row's phone with its consent, and the row's groups
 * in addition to their own. Returns false when the person no longer exists.
 */
export async function updateFromRow(
  trx: Knex,
  id: number,
  r: PreparedRow,
  phone: PhoneIn,
  groupIds: number[],
  now: number,
): Promise<boolean> {
  const current = await findRow(trx, id);
  if (!current) return false;
  const { id: _id, ...row } = current;
  const next: UserRow = { ...row, updated_at: now };
  const u = r.user;
  const given = new Set(r.given ?? []);
  if (given.has("firstName")) next.first_name = u.first_name;
  if (given.has("lastName")) next.last_name = u.last_name;
  if (u.email) next.email = u.email;
  if (u.employee_id) next.employee_id = u.employee_id;
  // findRow does not read the normalized copies: made again from what the person keeps.
  next.email_normalized = next.email ? normalizeEmail(next.email) : null;
  next.employee_id_normalized = next.employee_id ? normalizeEmployeeId(next.employee_id) : null;
  if (given.has("department") && u.department) next.department = u.department;
  if (given.has("site") && u.site) next.site = u.site;
  if (given.has("language")) next.language = u.language;
  if (phone && (phone.phone !== current.phone || !current.phone_consent)) {
    next.phone = phone.phone;
    next.phone_consent = true;
    next.phone_consent_at = now;
    next.phone_consent_by = phone.consentBy;
  }
  await updateUserRow(trx, id, next);
  if (groupIds.length) {
    const have = await memberGroupIds(trx, id, groupIds);
    await insertMemberships(
      trx,
      groupIds.filter((g) => !have.has(g)).map((group_id) => ({ group_id, user_id: id, added_at: now })),
    );
  }
  return true;
}
