import { scheduleInWords } from "./schedule-words.js";

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);

const CLOCK = (size: number) =>
  `<svg viewBox="0 0 16 16" width="${size}" height="${size}"><circle cx="8" cy="8" r="7" fill="#fff" stroke="currentColor" stroke-width="1.6"/><path d="M8 4.2V8l2.6 1.6" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/></svg>`;
const STATUSES = new Set(["pending", "active", "deactivated"]);

const STATUS_LABELS: Record<string, string> = { pending: "Invitation pending", active: "Joined", deactivated: "Deactivated" };

// Built once: creating an Intl formatter costs ~0.1 ms, which adds up over a table.
const DATE = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
const NUMBER = new Intl.NumberFormat("en-US");

/** Functions every template can call; they return text that EJS then escapes. */
export const viewHelpers = {
  /** The print batch's schedule in words (the expression is kept beside it, in a title). */
  scheduleInWords,
  /** "26 Nov 2026, 14:05 UTC": the server does not know the reader's zone. */
  formatDateTime(iso: string | null | undefined): string {
    if (!iso) return "";
    const d = new Date(iso);
    return `${DATE.format(d)}, ${d.toISOString().slice(11, 16)} UTC`;
  },
  formatDate(iso: string | null | undefined): string {
    if (!iso) return "";
    return DATE.format(new Date(iso));
  },
  formatNumber(n: number): string {
    return NUMBER.format(n);
  },
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
    const initials = escapeHtml(viewHelpers.initials(person.firstName, person.lastName));
    const extra =
      status === "pending"
        ? `<span class="avatar-clock" aria-hidden="true" title="Invitation pending">${CLOCK(large ? 20 : 14)}</span><span class="sr-only">(invitation pending)</span>`
        : status === "deactivated"
          ? `<span class="sr-only">(deactivated)</span>`
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
  statusLabel(status: string): string {
    return STATUS_LABELS[status] ?? status;
  },
};
