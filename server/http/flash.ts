import type { Request } from "express";

/**
 * One-shot messages after a redirect, carried as a short code in the query string
 * (`?done=created`) so that no session state is needed and no user text is reflected.
 */
const MESSAGES: Record<string, { text: string; kind?: "ok" | "error" }> = {
  created: { text: "Person registered. Their invitation is pending until they join." },
  updated: { text: "Changes saved." },
  deactivated: { text: "Person deactivated. They cannot join until reactivated." },
  reactivated: { text: "Person reactivated." },
  erased: { text: "Person erased. Their personal data is gone; the audit log keeps only the record number." },
  "group-created": { text: "Group created." },
  "group-renamed": { text: "Group renamed." },
  "group-deleted": { text: "Group deleted. Its members were kept." },
  "members-added": { text: "Added to the group." },
  "members-removed": { text: "Removed from the group." },
  "nothing-selected": { text: "Select at least one person first.", kind: "error" },
  "letters-none-pending": {
    text: "None of the selected people is pending: there is no invitation letter to print.",
    kind: "error",
  },
  "kiosk-choose": { text: "Choose a kiosk first.", kind: "error" },
  welcome: { text: "Welcome! Your admin account is ready. Start by registering people or importing a CSV." },
  "admin-created": { text: "Account created." },
  "admin-updated": { text: "Account updated." },
  "key-revoked": { text: "API key revoked. Calls with it now get 401." },
  "settings-saved": { text: "Settings saved." },
  "logo-saved": { text: "Logo saved. It shows on the join page, the lobby screen and printed invitations." },
  "logo-removed": { text: "Logo removed. The organization name shows in its place." },
  "invitation-regenerated": { text: "New invitation link made. The previous link and code no longer work." },
  resent: { text: "Queued again. It goes out in a moment; this page shows its state." },
  "bulk-invite": { text: "Invitations queued. They go out a few at a time; this page shows their state." },
  "invitation-email": { text: "Invitation email queued. Its state shows below and on the Deliveries page." },
  "invitation-sms": { text: "Invitation SMS queued. Its state shows below and on the Deliveries page." },
  "invitation-send-refused": {
    text: "Not sent: this person changed since the page was loaded (joined, deactivated, or their email, phone or link changed). The page now shows them as they are.",
    kind: "error",
  },
  "printer-created": { text: "Printer added. Its status shows below; use Test after changing its settings." },
  "printer-updated": { text: "Printer saved." },
  "printer-deleted": { text: "Printer deleted." },
  "printer-busy": { text: "This printer still has print jobs waiting or printing: let them finish first.", kind: "error" },
  "print-queued": { text: "Queued for overnight printing. The batch prints them on the next run, or run it now on Print jobs." },
  "print-dequeued": { text: "Taken off the overnight print queue." },
  "print-nobody": { text: "Nobody here needs a paper invitation.", kind: "error" },
  "print-canceled": { text: "Print job canceled. Its people wait for the next batch." },
  "print-not-cancelable": { text: "This job has gone to the printer already and can no longer be canceled.", kind: "error" },
  "batch-started": { text: "Batch started: its jobs are printing one after another. This page follows them." },
  "batch-empty": {
    text: "Nothing to print: nobody is waiting in the overnight queue (or they have no printer for their site).",
    kind: "error",
  },
  "batch-dead-links": {
    text: "Some queued people were left waiting: their invitation link expired or was revoked, so their letter would not work. Make them a new link on their profile; they print on the next batch.",
    kind: "error",
  },
  "sign-in-failures": {
    text: "Someone tried to sign in to your account with a wrong password since your last sign-in (the audit log says how many times). If it was not you, choose a stronger password and tell IT.",
    kind: "error",
  },
  "invitation-revoked": { text: "Invitation revoked. The link and code no longer work; regenerate to invite again." },
};

export function flashFrom(req: Request): { text: string; kind?: string } | null {
  const code = typeof req.query.done === "string" ? req.query.done : req.query.welcome ? "welcome" : null;
  return code ? (MESSAGES[code] ?? null) : null;
}
