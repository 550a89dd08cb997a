import { type MarkerLevel, MEDIA_OF, type PrinterState, type PrinterStatus, type PrinterTarget } from "./driver.js";
import { asList, asStrings, type IppAttributes } from "./ipp-client.js";

/** The attributes a status check asks for. */
export const STATUS_ATTRIBUTES = [
  "printer-state",
  "printer-state-reasons",
  "printer-state-message",
  "printer-is-accepting-jobs",
  "printer-make-and-model",
  "document-format-supported",
  "media-supported",
  "media-ready",
  "sides-supported",
  "marker-names",
  "marker-levels",
  "marker-types",
  "printer-supply",
  "printer-supply-description",
];

const STATES: Record<string, PrinterState> = {
  idle: "idle",
  processing: "processing",
  stopped: "stopped",
  "3": "idle",
  "4": "processing",
  "5": "stopped",
};

/** A Get-Printer-Attributes answer as the pages and the API show it. */
export function statusFromAttributes(attrs: IppAttributes, printer: Pick<PrinterTarget, "paper" | "sides">): PrinterStatus {
  const state = STATES[String(attrs["printer-state"])] ?? "idle";
  // "-report", "-warning" and "-error" suffixes are severities of the same reason.
  const reasons = asStrings(attrs["printer-state-reasons"]).filter((r) => r && r !== "none");
  const formats = asStrings(attrs["document-format-supported"]);
  const supported = asStrings(attrs["media-supported"]);
  const ready = asStrings(attrs["media-ready"]);
  const sides = asStrings(attrs["sides-supported"]);
  const warnings: string[] = [];
  if (formats.length && !formats.includes("application/pdf")) {
    warnings.push("The printer does not list application/pdf among its formats: it may refuse the letters.");
  }
  const media = MEDIA_OF[printer.paper];
  if (supported.length && !supported.includes(media))
    warnings.push(`The printer does not list ${printer.paper} paper (${media}).`);
  else if (ready.length && !ready.includes(media))
    warnings.push(`No ${printer.paper} paper is loaded right now (${media} is not in media-ready).`);
  if (printer.sides !== "one-sided" && sides.length && !sides.includes(printer.sides)) {
    warnings.push(`The printer cannot print ${printer.sides.replace(/-/g, " ")}.`);
  }
  const accepting = attrs["printer-is-accepting-jobs"];
  if (accepting === false) warnings.push("The printer is not accepting jobs.");
  return {
    state,
    reasons,
    formats,
    media: { supported, ready },
    markers: markersOf(attrs),
    acceptingJobs: typeof accepting === "boolean" ? accepting : null,
    makeAndModel: typeof attrs["printer-make-and-model"] === "string" ? attrs["printer-make-and-model"] : null,
    warnings,
    error: null,
    checkedAt: new Date().toISOString(),
  };
}

/** marker-levels when the printer has them, else the levels inside printer-supply (IPP Everywhere). */
function markersOf(attrs: IppAttributes): MarkerLevel[] {
  const names = asStrings(attrs["marker-names"]);
  if (names.length) {
    const levels = asList(attrs["marker-levels"]);
    const types = asStrings(attrs["marker-types"]);
    return names.map((name, i) => ({ name, level: levelOf(levels[i]), kind: types[i] ?? null }));
  }
  const descriptions = asStrings(attrs["printer-supply-description"]);
  return asList(attrs["printer-supply"]).map((raw, i) => {
    const fields = Object.fromEntries(
      String(Buffer.isBuffer(raw) ? raw.toString("utf8") : raw)
        .split(";")
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
    ) as Record<string, string>;
    return { name: descriptions[i] ?? fields.type ?? `supply ${i + 1}`, level: levelOf(fields.level), kind: fields.type ?? null };
  });
}

/** Negative levels mean unknown or unavailable (RFC 3805). */
function levelOf(v: unknown): number | null {
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 && n <= 100 ? n : null;
}

export function unreachableStatus(error: string): PrinterStatus {
  return {
    state: "unreachable",
    reasons: [],
    formats: [],
    media: { supported: [], ready: [] },
    markers: [],
    acceptingJobs: null,
    makeAndModel: null,
    warnings: [],
    error,
    checkedAt: new Date().toISOString(),
  };
}
