import { cliActor } from "../../server/core/events.js";
import type { CliCommand } from "../../server/core/feature.js";
import type { Notify } from "../../server/notify/index.js";
import type { Print } from "../index.js";

/**
 * `cli print batch`: runs the overnight batch now and prints in this process, waiting until
 * every job is final (with the retry policy, that can take PRINT_RETRY_LIMIT ×
 * PRINT_RETRY_SECONDS). Prints one line per job; exit 1 when one of them failed.
 */
export function printBatchCommand(print: Print, notify: Notify): CliCommand {
  return () => printBatch(print, notify);
}

async function printBatch(print: Print, notify: Notify): Promise<number> {
  print.worker.start();
  notify.start();
  try {
    const run = await print.batch.run("cli", cliActor());
    const jobs = await print.batch.waitFor(run.batch.id);
    const lines = jobs.map(
      (j) =>
        `print job #${j.id}: ${j.printerName}, job ${j.jobNumber} of ${j.jobCount}, ${j.letters} ${j.letters === 1 ? "letter" : "letters"}: ${j.status}${j.status === "completed" || !j.error ? "" : ` (${j.error})`}`,
    );
    const letters = jobs.reduce((n, j) => n + (j.status === "completed" ? j.letters : 0), 0);
    lines.push(
      `batch #${run.batch.id}: ${jobs.length} ${jobs.length === 1 ? "job" : "jobs"}, ${letters} ${letters === 1 ? "letter" : "letters"} printed${run.noPrinter ? `, ${run.noPrinter} queued without a printer for their site` : ""}${run.deadLinks ? `, ${run.deadLinks} waiting with an expired or revoked link` : ""}`,
    );
    process.stdout.write(`${lines.join("\n")}\n`);
    return jobs.every((j) => j.status === "completed") ? 0 : 1;
  } finally {
    await print.worker.stop(5_000);
    // Lets the summary email go out (or stay queued for the service, which sends it later).
    await notify.stop(5_000);
  }
}
