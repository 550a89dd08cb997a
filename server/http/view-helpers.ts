/** Functions every template can call; they return text that EJS then escapes. */
export const viewHelpers = {
  /** "26 Nov 2026, 14:05" in UTC: the server does not know the reader's zone. */
  formatDateTime(iso: string | null | undefined): string {
    if (!iso) return "";
    const d = new Date(iso);
    return `${d.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" })}, ${d
      .toISOString()
      .slice(11, 16)} UTC`;
  },
  formatDate(iso: string | null | undefined): string {
    if (!iso) return "";
    return new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  },
  formatNumber(n: number): string {
    return n.toLocaleString("en-US");
  },
  initials(first: string, last: string): string {
    return `${[...first][0] ?? ""}${[...last][0] ?? ""}`.toUpperCase();
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
    return (
      ({ pending: "Invitation pending", active: "Joined", deactivated: "Deactivated" } as Record<string, string>)[status] ??
      status
    );
  },
};
