import { formats, type TFunction, translator } from "../i18n/index.js";
import { type Message, say } from "../message.js";
import { scheduleInWords } from "./schedule-words.js";

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);

const CLOCK = (size: number) =>
  `<svg viewBox="0 0 16 16" width="${size}" height="${size}"><circle cx="8" cy="8" r="7" fill="#fff" stroke="currentColor" stroke-width="1.6"/><path d="M8 4.2V8l2.6 1.6" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/></svg>`;
const STATUSES = new Set(["pending", "active", "deactivated"]);

export type ViewHelpers = ReturnType<typeof makeViewHelpers>;

/** Functions every template can call, in one language; they return text that EJS then escapes. */
function makeViewHelpers(language: string) {
  const t: TFunction = translator(language);
  const f = formats(language);
  const helpers = {
    /** The print batch's schedule in words, in this language (the expression goes beside it, in a title). */
    scheduleInWords: (cron: string): string => scheduleInWords(cron, language),
    /** "26 Nov 2026, 14:05 UTC": the server does not know the reader's zone. */
    formatDateTime: (iso: string | null | undefined): string => f.dateTime(iso),
    formatDate: (iso: string | null | undefined): string => f.date(iso),
    formatNumber: (n: number): string => f.number(n),
    initials(first: string, last: string): string {
      return `${[...first][0] ?? ""}${[...last][0] ?? ""}`.toUpperCase();
    },
    /**
     * A person's avatar as HTML (use with <%- %>): pending people are greyed out with a small
     * clock and a text alternative for screen readers. A function rather than a partial
     * because it is drawn on every row of the lists.
     */
    avatar(person: { firstName: string; lastName: string; status: string }, large = false): string {
      const status = STATUSES.has(person.status) ? person.status : "pending";
      const initials = escapeHtml(helpers.initials(person.firstName, person.lastName));
      const extra =
        status === "pending"
          ? `<span class="avatar-clock" aria-hidden="true" title="${escapeHtml(t("common:status.pending"))}">${CLOCK(large ? 20 : 14)}</span><span class="sr-only">(${escapeHtml(t("common:status.pendingShort"))})</span>`
          : status === "deactivated"
            ? `<span class="sr-only">(${escapeHtml(t("common:status.deactivatedShort"))})</span>`
            : "";
      return `<span class="avatar avatar-${status}${large ? " large" : ""}"><span class="avatar-initials" aria-hidden="true">${initials}</span>${extra}</span>`;
    },
    /** A URL with some query parameters replaced (undefined or "" removes one). */
    withQuery(path: string, current: Record<string, unknown>, changes: Record<string, unknown>): string {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries({ ...current, ...changes })) {
        if (v !== undefined && v !== null && v !== "") params.set(k, String(v));
      }
      const qs = params.toString();
      return qs ? `${path}?${qs}` : path;
    },
    /** Words built in code (a `Message`), in this language; plain text as it is. */
    say: (m: Message | string): string => say(t, m),
    /**
     * Who did it, in the audit trail and a person's history: the service itself and the
     * command line in this language (they are stored in English); admins and keys by name.
     */
    actorName(entry: { actorType: string; actorLabel: string } | string): string {
      // A bare label (the audit log's filter lists labels): the two stored words are enough.
      const { actorType, actorLabel } =
        typeof entry === "string"
          ? { actorType: entry === "system" ? "system" : entry === "command line" ? "cli" : "", actorLabel: entry }
          : entry;
      if (actorType === "system" && actorLabel === "system") return t("common:actor.system");
      if (actorType === "cli" && actorLabel === "command line") return t("common:actor.cli");
      return actorLabel;
    },
    statusLabel(status: string): string {
      return STATUSES.has(status) ? t(`common:status.${status}`) : status;
    },
  };
  return helpers;
}

const byLanguage = new Map<string, ViewHelpers>();

/** The helpers of one language, made once: pages get them on every request. */
export function viewHelpersFor(language: string): ViewHelpers {
  let helpers = byLanguage.get(language);
  if (!helpers) {
    helpers = makeViewHelpers(language);
    byLanguage.set(language, helpers);
  }
  return helpers;
}

/** English helpers, for templates rendered outside a request (emails set their own). */
export const viewHelpers = viewHelpersFor("en");
