import type { FieldErrors } from "../../server/core/errors.js";
import { DRIVERS, type DriverName, SIDES, type Sides } from "../drivers/driver.js";
import type { Printer, PrinterValues } from "./printers.types.js";

export const PAPERS = ["A4", "Letter"] as const;
export const PRINTER_INPUT_KEYS = [
  "name",
  "site",
  "driver",
  "uri",
  "paper",
  "sides",
  "copies",
  "siteDefault",
  "username",
  "password",
];

/**
 * Credentials as given: a password of undefined keeps the stored one, null removes it (also
 * when the address or driver changes and no password comes with the change).
 */
export type ParsedPrinter = { values: PrinterValues; password: string | null | undefined };

const text = (v: unknown) => (typeof v === "string" ? v.trim() : typeof v === "number" ? String(v) : "");

/**
 * A printer's fields from a form or an API body, on top of the current printer for an
 * update. Each error names its field.
 */
export function parsePrinterInput(
  input: Record<string, unknown>,
  current?: Printer,
): { ok: true; value: ParsedPrinter } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const has = (k: string) => input[k] !== undefined;
  const name = has("name") ? text(input.name) : (current?.name ?? "");
  if (!name) errors.name = "Enter a name, such as Front desk — 2nd floor";
  else if (name.length > 100) errors.name = "must be at most 100 characters";

  const siteRaw = has("site") ? (input.site === null ? "" : text(input.site)) : (current?.site ?? "");
  if (siteRaw.length > 100) errors.site = "must be at most 100 characters";

  const driver = (has("driver") ? text(input.driver) : (current?.driver ?? "")) as DriverName;
  if (!driver) errors.driver = `Choose a driver: ${DRIVERS.join(", ")}`;
  else if (!DRIVERS.includes(driver)) errors.driver = `must be one of ${DRIVERS.join(", ")}`;

  const uri = has("uri") ? text(input.uri) : (current?.uri ?? "");
  const uriError = DRIVERS.includes(driver) ? checkUri(driver, uri) : null;
  if (uriError) errors.uri = uriError;

  const paper = (has("paper") ? text(input.paper) : (current?.paper ?? "A4")) as Printer["paper"];
  if (!PAPERS.includes(paper)) errors.paper = "must be A4 or Letter";

  const sides = (has("sides") ? text(input.sides) : (current?.sides ?? "one-sided")) as Sides;
  if (!SIDES.includes(sides)) errors.sides = `must be one of ${SIDES.join(", ")}`;

  const copiesRaw = has("copies") ? text(input.copies) : String(current?.copies ?? 1);
  const copies = /^\d{1,3}$/.test(copiesRaw) ? Number(copiesRaw) : Number.NaN;
  if (!(copies >= 1 && copies <= 99)) errors.copies = "must be a whole number from 1 to 99";

  const siteDefault = has("siteDefault")
    ? [true, "true", "on", "1", 1].includes(input.siteDefault as never)
    : (current?.siteDefault ?? false);
  if (has("siteDefault") && typeof input.siteDefault !== "boolean" && typeof input.siteDefault !== "string") {
    errors.siteDefault = "must be true or false";
  }

  const username = has("username") ? (input.username === null ? "" : text(input.username)) : (current?.username ?? "");
  if (username.length > 100) errors.username = "must be at most 100 characters";
  let password: string | null | undefined;
  if (has("password")) {
    if (input.password === null) password = null;
    else if (typeof input.password !== "string") errors.password = "must be text";
    else if (input.password.length > 200) errors.password = "must be at most 200 characters";
    else password = input.password === "" ? undefined : input.password;
  }
  // No user name, no credentials: a password alone is never sent.
  if (username === "") password = null;
  // A stored password belongs to the address it was entered for: whoever may point the
  // printer elsewhere must not be able to have it sent there (it goes out as HTTP Basic auth).
  const moved = current !== undefined && (uri !== current.uri || driver !== current.driver);
  if (moved && password === undefined) password = null;

  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      values: { name, site: siteRaw || null, driver, uri, paper, sides, copies, siteDefault, username: username || null },
      password,
    },
  };
}

function checkUri(driver: DriverName, uri: string): string | null {
  if (driver === "windows") {
    if (!uri) return "Enter the printer's name as Windows shows it, such as HP LaserJet (Front desk)";
    return uri.length > 200 ? "must be at most 200 characters" : null;
  }
  if (!uri)
    return driver === "cups"
      ? "Enter the queue's URI, such as ipp://localhost:631/printers/Front_Desk"
      : "Enter the printer's URI, such as ipp://printer.example.internal/ipp/print";
  if (uri.length > 500) return "must be at most 500 characters";
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return "is not a valid URI: use ipp://, ipps://, http:// or https://";
  }
  if (!["ipp:", "ipps:", "http:", "https:"].includes(url.protocol)) return "must start with ipp://, ipps://, http:// or https://";
  if (!url.hostname) return "must name the printer's host";
  if (url.username || url.password) return "Leave credentials out of the URI: enter them in the user name and password fields";
  if (driver === "cups" && !/^\/printers\/[^/]+$/.test(url.pathname))
    return "must be a CUPS queue: ipp://localhost:631/printers/NAME";
  return null;
}
