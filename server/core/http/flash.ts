import type { Request } from "express";
import { translator } from "../i18n/index.js";

/**
 * One-shot messages after a redirect, carried as a short code in the query string
 * (`?done=created`) so that no session state is needed and no user text is reflected.
 * The words are in locales/<language>/flash.json, under the code.
 */
const ERRORS = new Set([
  "nothing-selected",
  "letters-none-pending",
  "kiosk-choose",
  "invitation-send-refused",
  "printer-busy",
  "print-nobody",
  "print-not-cancelable",
  "print-nothing-to-decide",
  "batch-empty",
  "batch-dead-links",
  "sign-in-failures",
]);

export function flashFrom(req: Request): { text: string; kind?: string } | null {
  const code = typeof req.query.done === "string" ? req.query.done : req.query.welcome ? "welcome" : null;
  // Only known codes: an unknown one must not echo back as text.
  if (!code || !/^[a-z-]{1,40}$/.test(code)) return null;
  const t = req.t ?? translator("en");
  const key = `flash:${code}`;
  if (!t(key, { defaultValue: "" })) return null;
  return ERRORS.has(code) ? { text: t(key), kind: "error" } : { text: t(key) };
}
