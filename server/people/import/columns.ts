import { fold } from "../normalize.js";
import { refused } from "./csv-read.js";

/** The person fields an import column can fill; `lastName2` is a Spanish second surname, joined to the first. */
export const IMPORT_FIELDS = [
  "firstName",
  "lastName",
  "lastName2",
  "email",
  "phone",
  "phoneConsent",
  "employeeId",
  "department",
  "site",
  "language",
  "groups",
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** How each field is explained on the upload page and in refusals: English and Spanish header names. */
export const FIELD_HELP: Record<ImportField, { label: string; headers: string[]; note: string }> = {
  firstName: { label: "First name", headers: ["first name", "nombre"], note: "required" },
  lastName: { label: "Last name", headers: ["last name", "apellidos", "apellido", "primer apellido"], note: "required" },
  lastName2: {
    label: "Second surname",
    headers: ["segundo apellido", "apellido 2"],
    note: "optional, added after the last name",
  },
  email: { label: "Email", headers: ["email", "e-mail", "correo", "correo electrónico"], note: "optional; unique" },
  phone: {
    label: "Phone",
    headers: ["phone", "mobile", "teléfono", "móvil"],
    note: "optional; unique; without a +prefix it is read as a number of the organization's country",
  },
  phoneConsent: {
    label: "Phone consent",
    headers: ["phone consent", "consent", "consentimiento"],
    note: "yes, sí, x, true or 1; without this column the import asks once what to do with the phone numbers",
  },
  employeeId: { label: "Employee id", headers: ["employee id", "id empleado", "número de empleado"], note: "optional; unique" },
  department: { label: "Department", headers: ["department", "departamento"], note: "optional" },
  site: { label: "Site", headers: ["site", "location", "sede", "centro"], note: "optional" },
  language: {
    label: "Language",
    headers: ["language", "idioma"],
    note: "en or es (English, Español); when empty, the language of the organization's country",
  },
  groups: {
    label: "Groups",
    headers: ["groups", "group", "grupos", "grupo"],
    note: "optional; several separated by | or a comma; missing groups are created",
  },
};

// Every accepted header, as compared: folded (case and accents) with all but letters and digits removed.
const ALIASES: Record<ImportField, string[]> = {
  firstName: ["first name", "firstname", "first", "given name", "forename", "nombre", "nombre de pila", "nombres"],
  lastName: ["last name", "surname", "family name", "apellidos", "apellido", "primer apellido", "apellido 1", "1er apellido"],
  lastName2: ["segundo apellido", "apellido 2", "2o apellido"],
  email: ["email", "email address", "mail", "correo", "correo electronico", "correo e", "direccion de correo", "e mail"],
  phone: [
    "phone",
    "phone number",
    "mobile",
    "mobile phone",
    "mobile number",
    "cell",
    "cell phone",
    "telephone",
    "tel",
    "telefono",
    "telefono movil",
    "movil",
    "numero de telefono",
    "numero de movil",
    "celular",
  ],
  phoneConsent: [
    "consent",
    "phone consent",
    "sms consent",
    "consent phone",
    "consentimiento",
    "consentimiento telefono",
    "consentimiento del telefono",
    "consentimiento sms",
  ],
  employeeId: [
    "employee id",
    "employee number",
    "employee no",
    "employee code",
    "staff id",
    "staff number",
    "id empleado",
    "id de empleado",
    "numero de empleado",
    "numero empleado",
    "no empleado",
    "no de empleado",
    "n empleado",
    "codigo de empleado",
    "codigo empleado",
  ],
  department: ["department", "dept", "departamento", "depto"],
  site: ["site", "location", "office", "workplace", "sede", "centro", "centro de trabajo", "oficina", "ubicacion"],
  language: ["language", "lang", "locale", "idioma", "lengua"],
  groups: ["group", "groups", "grupo", "grupos"],
};

export const headerKey = (header: string): string => fold(header).replace(/[^\p{L}\p{N}]+/gu, "");

const FIELD_BY_KEY = new Map<string, ImportField>();
for (const field of IMPORT_FIELDS) for (const alias of ALIASES[field]) FIELD_BY_KEY.set(headerKey(alias), field);

export type Column = { index: number; header: string; field: ImportField | null };
export type ColumnMap = { columns: Column[]; byField: Partial<Record<ImportField, number>> };

/** The header names each field is recognised by, in the refusal of a file without name columns. */
const acceptedHeaders = () =>
  (Object.keys(FIELD_HELP) as ImportField[]).map((f) => FIELD_HELP[f].headers.map((h) => `"${h}"`).join("/")).join(", ");

/**
 * Maps the header line to fields. Unknown columns are kept as ignored (the dry run lists
 * them, so nothing is dropped silently); a missing name column or two columns for one
 * field refuse the file, naming what was expected.
 */
export function mapHeader(headers: string[]): ColumnMap {
  const columns: Column[] = headers.map((raw, index) => {
    const header = raw.trim();
    return { index, header, field: FIELD_BY_KEY.get(headerKey(header)) ?? null };
  });
  const byField: Partial<Record<ImportField, number>> = {};
  for (const c of columns) {
    if (!c.field) continue;
    const earlier = byField[c.field];
    if (earlier !== undefined) {
      throw refused("ambiguous header line", "twoColumnsOneField", {
        first: columns[earlier]?.header,
        second: c.header,
        field: c.field,
      });
    }
    byField[c.field] = c.index;
  }
  const missing = (["firstName", "lastName"] as const).filter((f) => byField[f] === undefined);
  if (missing.length) {
    const found = columns.filter((c) => c.header).map((c) => `"${c.header}"`);
    throw refused("header line not recognised", "noNameColumns", {
      missing: missing.length > 1 ? "both" : missing[0],
      found: found.length ? `${found.slice(0, 12).join(", ")}${found.length > 12 ? ", …" : ""}` : "none",
      accepted: acceptedHeaders(),
    });
  }
  return { columns, byField };
}

/** The upload page's template: the header line in English (comma) or Spanish (semicolon). */
export function templateHeader(lang: "en" | "es"): string {
  const fields: ImportField[] = [
    "firstName",
    "lastName",
    "email",
    "phone",
    "phoneConsent",
    "employeeId",
    "department",
    "site",
    "language",
    "groups",
  ];
  if (lang === "es") {
    const es: Record<string, string> = {
      firstName: "nombre",
      lastName: "apellidos",
      email: "correo electrónico",
      phone: "teléfono",
      phoneConsent: "consentimiento",
      employeeId: "número de empleado",
      department: "departamento",
      site: "sede",
      language: "idioma",
      groups: "grupos",
    };
    return fields.map((f) => es[f]).join(";");
  }
  return fields.map((f) => FIELD_HELP[f].headers[0]).join(",");
}
