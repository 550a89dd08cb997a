import type { TFunction } from "../../server/core/i18n/index.js";

/**
 * What a print job's stored error or history line (English, as the API gives it) says in
 * the reader's words. They are kept as text (they often quote a printer's own answer); the
 * sentences the service writes are matched here and said with print.json's `said.` keys,
 * the quoted parts as they are. Anything else (a printer's words) shows as stored, so old
 * jobs stay readable.
 */
const SAID: Array<[RegExp, string]> = [
  [/^Printed\.$/, "printed"],
  [/^Handed to the spooler, which tells nothing more: whether it printed is not known\.$/, "spooled"],
  [/^Attempt (?<attempt>\d+) sent as printer job (?<jobId>\S+) \((?<n>\d+) letters\)\.$/, "sent"],
  [/^The printer has the attempt (?<name>\S+) as its job (?<jobId>\S+): following it\.$/, "adopted"],
  [/^(?<who>.+) chose to print it again\.$/s, "decidedReprint"],
  [/^(?<who>.+) marked it as printed\.$/s, "decidedPrinted"],
  [/^Canceled by (?<who>.+)$/s, "canceledBy"],
  [/^The printer was deleted before the job was printed\.$/, "printerDeleted"],
  [/^Nobody left to print: everyone in this job joined or was deactivated\.$/, "nobodyLeft"],
  [/^Canceled at the printer(?: \((?<why>.*)\))?$/s, "canceledAtPrinter"],
  [/^The printer aborted the job(?: \((?<why>.*)\))?$/s, "aborted"],
  [/^The printer cannot be reached$/, "cannotBeReached"],
  [/^The printer is stopped \((?<why>.*)\)$/s, "stopped"],
  [/^Unexpected error: (?<detail>.*)$/s, "unexpected"],
  [
    /^The printer accepted the job and has since forgotten it without restarting: printers forget jobs once they are done\.$/,
    "forgotten",
  ],
  [/^The printer restarted while it held the job \(last seen (?<state>[^)]*)\): it may or may not have printed\.$/, "restarted"],
  [/^The printer no longer knows the job and does not say whether it restarted\.$/, "noLongerKnown"],
  [
    /^The service stopped while sending the job and the printer restarted since: it may have printed before the restart\.$/,
    "stoppedRestarted",
  ],
  [
    /^The printer has no job of this attempt's name and still lists jobs older than the attempt: it never received it\.$/,
    "notReceived",
  ],
  [
    /^The service stopped while sending the job; the printer has no job of its name but no longer lists jobs that old, so it may have printed and forgotten it\.$/,
    "stoppedUnknown",
  ],
  [/^The printer at (?<where>\S+) did not answer within (?<s>[\d.]+) s$/, "timeout"],
  [/^The request to (?<where>\S+) was cut off$/, "cutOff"],
  [/^The printer at (?<where>\S+) refused the credentials \(HTTP (?<code>\d+)\)$/, "credentials"],
  [/^The device at (?<where>\S+) did not answer as an IPP printer$/, "notIpp"],
  [/^The printer at (?<where>\S+) refused the connection \(is it switched on\?\)$/, "refused"],
  [/^The printer at (?<where>\S+) cannot be reached$/, "unreachableAt"],
  [/^The printer at (?<where>\S+) has a host name that does not resolve( right now)?$/, "noHost"],
  [/^The printer at (?<where>\S+) dropped the connection$/, "dropped"],
  [/^The printer at (?<where>\S+) did not answer$/, "noAnswer"],
  [/^The printer refused (?<operation>\S+) with (?<detail>.*)$/s, "refusedOperation"],
  [/^The printer accepted the job but gave no job-id$/, "noJobId"],
  [/^The Windows spooler refused the job: (?<detail>.*)$/s, "spoolerRefused"],
  [/^The Windows spooler did not answer within (?<s>[\d.]+) s$/, "spoolerTimeout"],
];

/** "… while printing — attempt 2 of 4, next try in 60 s": the retry's words around a reason. */
const RETRY = /^(?<reason>.*?)(?<printing> while printing)? — attempt (?<attempt>\d+) of (?<of>\d+), next try in (?<s>\d+) s$/s;

export function sayPrintText(t: TFunction | undefined, text: string | null | undefined): string {
  if (!text) return "";
  if (!t || (t as { lng?: string }).lng === "en") return text;
  const retry = RETRY.exec(text);
  if (retry?.groups) {
    const g = retry.groups;
    return t("print:said.retry", {
      reason: sayPrintText(t, g.reason),
      printing: g.printing ? "yes" : "no",
      attempt: g.attempt,
      of: g.of,
      s: g.s,
      defaultValue: text,
    });
  }
  for (const [pattern, key] of SAID) {
    const m = pattern.exec(text);
    if (m) return t(`print:said.${key}`, { why: "", ...m.groups, hasWhy: m.groups?.why ? "yes" : "no", defaultValue: text });
  }
  return text;
}
