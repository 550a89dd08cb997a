import { type FieldErrors, ValidationError } from "../../server/core/errors.js";
import { message } from "../../server/core/message.js";

export type PrintRequest = { printerId: number | null; userIds: number[]; when: "now" | "tonight" };

const isId = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v > 0;

/** The body of POST /print-jobs: `printerId` (optional: the site's default), `userIds`, `when`. */
export function parsePrintRequest(body: Record<string, unknown>): PrintRequest {
  const errors: FieldErrors = {};
  let printerId: number | null = null;
  if (body.printerId !== undefined && body.printerId !== null) {
    if (isId(body.printerId)) printerId = body.printerId;
    else errors.printerId = "must be a printer id (a positive whole number)";
  }
  let userIds: number[] = [];
  if (!Array.isArray(body.userIds)) errors.userIds = "must be a list of person ids, such as [12, 15]";
  else if (!body.userIds.length) errors.userIds = "choose at least one person";
  else if (!body.userIds.every(isId)) errors.userIds = "must hold only person ids (positive whole numbers)";
  else userIds = [...new Set(body.userIds as number[])];
  const when = body.when === undefined ? "now" : body.when;
  if (when !== "now" && when !== "tonight") errors.when = 'must be "now" or "tonight"';
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return { printerId, userIds, when: when as PrintRequest["when"] };
}

export type Decision = "reprint" | "printed";

/** The front desk's decision on an unconfirmed job (the API's body and the page's form alike). */
export function parseDecision(raw: unknown): Decision {
  if (raw !== "reprint" && raw !== "printed") throw new ValidationError({ decision: message("errors:print.decisionRequired") });
  return raw;
}
