import { z } from "zod";
import { SCOPES, type Scope } from "../core/auth/principals.js";
import { ValidationError } from "../core/errors.js";
import { message } from "../core/message.js";

export const DEFAULT_SCOPES: Scope[] = ["users", "groups", "invitations", "kiosks", "printers"];

export const apiKeyNameSchema = z
  .string({ required_error: "Name is required" })
  .trim()
  .min(1, "Name is required")
  .max(100, "must be at most 100 characters");

export function parseScopes(raw: unknown): Scope[] {
  if (raw === undefined || raw === null || raw === "") return DEFAULT_SCOPES;
  const list = (Array.isArray(raw) ? raw : String(raw).split(",")).map((s) => String(s).trim()).filter(Boolean);
  const unknown = list.filter((s) => !SCOPES.includes(s as Scope));
  if (unknown.length) {
    throw new ValidationError({
      scopes: message("validation:unknownScope", { scopes: unknown.join(", "), known: SCOPES.join(", ") }),
    });
  }
  if (!list.length) throw new ValidationError({ scopes: message("validation:chooseScope") });
  return [...new Set(list)] as Scope[];
}
