import { type PrintJob, SPOOLED } from "../queue/print-jobs.types.js";

export type BatchOutcome = {
  batchId: number;
  startedAt: Date;
  jobs: PrintJob[];
  stillQueued: number;
  noPrinter: number;
  deadLinks: number;
};

const STATUS_WORDS: Record<string, string> = {
  completed: "printed",
  failed: "FAILED",
  canceled: "canceled",
  queued: "waiting",
  processing: "printing",
};

/**
 * The email admins get after a batch: counts per printer and job, failures with the
 * printer's reason, and how many people wait for the next night. No names: the cover
 * sheets on paper carry those.
 */
export function batchSummaryEmail(o: BatchOutcome, publicUrl: string): { subject: string; text: string; html: string } {
  // A spooler's job (Windows) is done on this side, not known to be printed: said as such.
  const spooledJob = (j: PrintJob) => j.status === "completed" && j.printerState === SPOOLED;
  const printed = o.jobs.filter((j) => j.status === "completed" && !spooledJob(j)).reduce((n, j) => n + j.letters, 0);
  const spooled = o.jobs.filter(spooledJob).reduce((n, j) => n + j.letters, 0);
  const failedJobs = o.jobs.filter((j) => j.status === "failed");
  const failed = failedJobs.reduce((n, j) => n + j.letters, 0);
  const subject = `Print batch #${o.batchId}: ${printed} ${printed === 1 ? "letter" : "letters"} printed${spooled ? `, ${spooled} handed to the spooler` : ""}${failed ? `, ${failed} failed` : ""}`;
  const lines = o.jobs.map(
    (j) =>
      `- ${j.printerName}, job ${j.jobNumber} of ${j.jobCount} (print job #${j.id}): ${j.letters} ${j.letters === 1 ? "letter" : "letters"}, ${spooledJob(j) ? "handed to the spooler" : (STATUS_WORDS[j.status] ?? j.status)}${j.error && j.status !== "completed" ? ` — ${j.error}` : ""}`,
  );
  const notes: string[] = [];
  if (o.stillQueued)
    notes.push(`${o.stillQueued} ${o.stillQueued === 1 ? "person waits" : "people wait"} in the queue for the next batch.`);
  if (o.noPrinter)
    notes.push(
      `${o.noPrinter} queued ${o.noPrinter === 1 ? "person has" : "people have"} no printer for their site: add one or set a default printer.`,
    );
  if (o.deadLinks)
    notes.push(
      `${o.deadLinks} queued ${o.deadLinks === 1 ? "person's invitation link has" : "people's invitation links have"} expired or been revoked: make a new link on their profile and they print on the next batch.`,
    );
  const link = `${publicUrl}/print-jobs?batch=${o.batchId}`;
  const text = [
    `Overnight print batch #${o.batchId}, started ${o.startedAt.toISOString().replace("T", " ").slice(0, 16)} UTC.`,
    "",
    o.jobs.length ? lines.join("\n") : "Nothing was queued for printing.",
    "",
    ...notes,
    ...(notes.length ? [""] : []),
    `Details: ${link}`,
  ].join("\n");
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#1f2937">
<h2 style="margin:0 0 8px">Print batch #${o.batchId}</h2>
<p>${esc(subject.replace(/^Print batch #\d+: /, ""))}.</p>
<ul>${o.jobs.map((_, i) => `<li>${esc((lines[i] as string).slice(2))}</li>`).join("") || "<li>Nothing was queued for printing.</li>"}</ul>
${notes.map((n) => `<p>${esc(n)}</p>`).join("")}
<p><a href="${esc(link)}">Open the print jobs</a></p></body></html>`;
  return { subject, text, html };
}
