import { cliActor } from "../../server/core/events.js";
import type { CliCommand } from "../../server/core/feature.js";
import { SPOOLED } from "../queue/print-jobs.types.js";
import type { PrintWorker } from "../queue/print-worker.js";
import type { PrintBatch } from "./batch.service.js";

type Deps = {
  worker: Pick<PrintWorker, "start" | "stop">;
  batch: Pick<PrintBatch, "run" | "waitFor">;
  /** The outbox, started so that the summary email goes out. */
  notify: { start(): void; stop(ms?: number): Promise<void> };
};

/**
 * `cli print batch`: runs the overnight batch now and prints in this process, waiting until
 * every job is final (with the retry policy, that can take PRINT_RETRY_LIMIT ×
 * PRINT_RETRY_SECONDS). Prints one line per job; exit 1 when one of them failed.
 */
export function printBatchCommand(deps: Deps): CliCommand {
  return () => printBatch(deps);
}

async function printBatch({ worker, batch, notify }: Deps): Promise<number> {
  worker.start();
  notify.start();
  try {
    const run = await batch.run("cli", cliActor());
    const jobs = await batch.waitFor(run.batch.id);
    const lines = jobs.map(
      (j) =>
        `print job #${j.id}: ${j.printerName}, job ${j.jobNumber} of ${j.jobCount}, ${j.letters} ${j.letters === 1 ? "letter" : "letters"}: ${j.printerState === SPOOLED ? "handed to the spooler" : j.status}${j.status === "completed" || !j.error ? "" : ` (${j.error})`}`,
    );
    const done = jobs.filter((j) => j.status === "completed");
    const letters = done.reduce((n, j) => n + (j.printerState === SPOOLED ? 0 : j.letters), 0);
    const spooled = done.reduce((n, j) => n + (j.printerState === SPOOLED ? j.letters : 0), 0);
    lines.push(
      `batch #${run.batch.id}: ${jobs.length} ${jobs.length === 1 ? "job" : "jobs"}, ${letters} ${letters === 1 ? "letter" : "letters"} printed${spooled ? `, ${spooled} handed to the spooler` : ""}${run.noPrinter ? `, ${run.noPrinter} queued without a printer for their site` : ""}${run.deadLinks ? `, ${run.deadLinks} waiting with an expired or revoked link` : ""}`,
    );
    process.stdout.write(`${lines.join("\n")}\n`);
    return jobs.every((j) => j.status === "completed") ? 0 : 1;
  } finally {
    await worker.stop(5_000);
    // Lets the summary email go out (or stay queued for the service, which sends it later).
    await notify.stop(5_000);
  }
}
