import { ValidationError } from "../../core/errors.js";
import { fmt } from "./count-format.js";
import type { ImportChoices, ImportReport, MatchDecision, PhoneDecision } from "./import-report.js";
import type { RowMatch } from "./row-check.js";

const MATCH_DECISIONS: MatchDecision[] = ["update", "skip", "add"];
const PHONE_DECISIONS: PhoneDecision[] = ["drop", "consented"];

/** The answers of the import form (`phones`, `matchAll`, `match_<line>`), kept only where they are valid words. */
export function choicesFromForm(body: Record<string, unknown>): ImportChoices {
  const choices: ImportChoices = {};
  if (PHONE_DECISIONS.includes(body.phones as PhoneDecision)) choices.phones = body.phones as PhoneDecision;
  if (MATCH_DECISIONS.includes(body.matchAll as MatchDecision)) choices.matchAll = body.matchAll as MatchDecision;
  for (const [key, value] of Object.entries(body)) {
    const line = /^match_(\d{1,7})$/.exec(key)?.[1];
    if (line && MATCH_DECISIONS.includes(value as MatchDecision)) {
      choices.matchRows ??= {};
      choices.matchRows[Number(line)] = value as MatchDecision;
    }
  }
  return choices;
}

/** What happens to a matched row: its own decision, else the one for all. */
export const decisionFor = (choices: ImportChoices, line: number): MatchDecision | undefined =>
  choices.matchRows?.[line] ?? choices.matchAll;

const BY: Record<RowMatch["by"], string> = {
  employeeId: "employee id",
  email: "email address",
  phone: "phone number",
  name: "full name",
};
export const matchedBy = (by: RowMatch["by"]) => BY[by];

/**
 * Refuses an import whose check raised a question the choices leave open: what to do with
 * phone numbers of a file without a consent column, and with each row that is someone
 * already registered. "Add anyway" is possible only for a match by name: a second person
 * with the same email, phone or employee id cannot exist.
 */
export function requireChoices(report: ImportReport, choices: ImportChoices): void {
  const errors: Record<string, string> = {};
  const phones = report.phonesWithoutConsent ?? 0;
  if (phones && !choices.phones) {
    errors.phones = `${fmt(phones)} ${phones === 1 ? "person has" : "people have"} a phone number and the file has no consent column: import without phone numbers, or confirm that everyone consented.`;
  }
  const matches = report.matches ?? [];
  const count = report.matchCount ?? 0;
  if (count) {
    const open = matches.filter((m) => !decisionFor(choices, m.line));
    if (open.length || (count > matches.length && !choices.matchAll)) {
      errors.matches = `${fmt(count)} ${count === 1 ? "person is" : "people are"} already registered: choose "update existing", "skip" or "add anyway" for ${
        open.length
          ? open
              .map((m) => `${m.name} (line ${m.line})`)
              .slice(0, 5)
              .join(", ") + (open.length > 5 ? " …" : "")
          : "all of them"
      }.`;
    } else {
      const impossible = matches.filter((m) => m.match.by !== "name" && decisionFor(choices, m.line) === "add");
      if (impossible.length || (count > matches.length && choices.matchAll === "add" && count !== report.nameMatchCount)) {
        errors.matches = `"Add anyway" is only for people with the same name: ${
          impossible.length
            ? impossible
                .slice(0, 5)
                .map((m) => `${m.name} (line ${m.line}) has the ${matchedBy(m.match.by)} of ${m.match.name}`)
                .join("; ")
            : "some of these people share an email address, phone number or employee id with someone registered"
        }. Choose "update existing" or "skip" for them.`;
      }
    }
  }
  if (Object.keys(errors).length) throw new ValidationError(errors, Object.values(errors).join(" "));
}
