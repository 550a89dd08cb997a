import type { FieldMessages } from "../../server/core/errors.js";
import { type Message, message } from "../../server/core/message.js";
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
): { ok: true; value: ParsedPrinter } | { ok: false; errors: FieldMessages } {
  const errors: FieldMessages = {};
  const has = (k: string) => input[k] !== undefined;
  const name = has("name") ? text(input.name) : (current?.name ?? "");
  if (!name) errors.name = message("errors:printer.nameMissing");
  else if (name.length > 100) errors.name = message("validation:maxLength", { max: 100 });

  const siteRaw = has("site") ? (input.site === null ? "" : text(input.site)) : (current?.site ?? "");
  if (siteRaw.length > 100) errors.site = message("validation:maxLength", { max: 100 });

  const driver = (has("driver") ? text(input.driver) : (current?.driver ?? "")) as DriverName;
  if (!driver) errors.driver = message("errors:printer.driverMissing", { options: DRIVERS.join(", ") });
  else if (!DRIVERS.includes(driver)) errors.driver = message("validation:oneOf", { options: DRIVERS.join(", ") });

  const uri = has("uri") ? text(input.uri) : (current?.uri ?? "");
  const uriError = DRIVERS.includes(driver) ? checkUri(driver, uri) : null;
  if (uriError) errors.uri = uriError;

  const paper = (has("paper") ? text(input.paper) : (current?.paper ?? "A4")) as Printer["paper"];
  if (!PAPERS.includes(paper)) errors.paper = message("errors:printer.paper");

  const sides = (has("sides") ? text(input.sides) : (current?.sides ?? "one-sided")) as Sides;
  if (!SIDES.includes(sides)) errors.sides = message("validation:oneOf", { options: SIDES.join(", ") });

  const copiesRaw = has("copies") ? text(input.copies) : String(current?.copies ?? 1);
  const copies = /^\d{1,3}$/.test(copiesRaw) ? Number(copiesRaw) : Number.NaN;
  if (!(copies >= 1 && copies <= 99)) errors.copies = message("errors:printer.copies");

  const siteDefault = has("siteDefault")
    ? [true, "true", "on", "1", 1].includes(input.siteDefault as never)
    : (current?.siteDefault ?? false);
  if (has("siteDefault") && typeof input.siteDefault !== "boolean" && typeof input.siteDefault !== "string") {
    errors.siteDefault = message("validation:type.boolean");
  }

  const username = has("username") ? (input.username === null ? "" : text(input.username)) : (current?.username ?? "");
  if (username.length > 100) errors.username = message("validation:maxLength", { max: 100 });
  let password: string | null | undefined;
  if (has("password")) {
    if (input.password === null) password = null;
    else if (typeof input.password !== "string") errors.password = message("validation:type.string");
    else if (input.password.length > 200) errors.password = message("validation:maxLength", { max: 200 });
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

function checkUri(driver: DriverName, uri: string): Message | null {
  if (driver === "windows") {
    if (!uri) return message("errors:printer.windowsNameMissing");
    return uri.length > 200 ? message("validation:maxLength", { max: 200 }) : null;
  }
  if (!uri) return driver === "cups" ? message("errors:printer.cupsUriMissing") : message("errors:printer.uriMissing");
  if (uri.length > 500) return message("validation:maxLength", { max: 500 });
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return message("errors:printer.uriInvalid");
  }
  if (!["ipp:", "ipps:", "http:", "https:"].includes(url.protocol)) return message("errors:printer.uriScheme");
  if (!url.hostname) return message("errors:printer.uriHost");
  if (url.username || url.password) return message("errors:printer.uriCredentials");
  if (driver === "cups" && !/^\/printers\/[^/]+$/.test(url.pathname)) return message("errors:printer.cupsQueue");
  return null;
}
