/** Counts as the pages, the CLI and the audit log show them: 12,345. */
export const fmt = (n: number) => n.toLocaleString("en-US");
