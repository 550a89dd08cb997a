import { performance } from "node:perf_hooks";
import { cliActor } from "../server/core/events.js";
import { startTestApp } from "../test/support/app.js";
import type { Dialect } from "../test/support/databases.js";
import { ippProblem, startIppPrinter } from "../test/support/ipp-printer.js";
import { pdfPages } from "../test/support/pdf.js";
import { registerPeople } from "../test/support/printing.js";

export const PRINT_LETTERS = 1000;
const BATCH_SIZE = 50;

export type PrintBenchResult = {
  endToEnd: { seconds: number; pages: number; jobs: number };
  renderOnly: { seconds: number; pages: number };
  sendOnly: { seconds: number; pages: number; jobs: number };
} | null;

/**
 * End to end: 1,000 pending people queued for tonight, the batch run, every job rendered
 * (letters + cover sheet), sent to `ippeveprinter -c /bin/true` over IPP and followed until
 * the printer reports it completed. Baselines from the same run: rendering the same jobs
 * only (ctx.letters), and sending one pre-rendered job of the same size the same number of
 * times through the IPP driver, followed to completion (the printer and transport alone).
 */
export async function benchPrint(dialect: Dialect): Promise<PrintBenchResult> {
  const problem = ippProblem();
  if (problem) {
    console.log(`  skipped: ippeveprinter is not available (${problem}); run bash scripts/test-services.sh ipp`);
    return null;
  }
  const printer = await startIppPrinter();
  const app = await startTestApp(dialect, { PRINT_BATCH_SIZE: String(BATCH_SIZE), PRINT_RETRY_SECONDS: "1" });
  try {
    const created = await app.ctx.print.printers.create(
      { name: "Bench", uri: printer.uri, driver: "ipp", siteDefault: true },
      cliActor(),
    );
    const ids = await registerPeople(app, PRINT_LETTERS, "Bench");

    // Baseline 1: the same documents, rendered only.
    const chunks: number[][] = [];
    for (let i = 0; i < ids.length; i += BATCH_SIZE) chunks.push(ids.slice(i, i + BATCH_SIZE));
    let t = performance.now();
    const rendered: Buffer[] = [];
    for (const [i, chunk] of chunks.entries()) {
      const people = await Promise.all(chunk.map((id) => app.ctx.users.get(id)));
      rendered.push(
        await app.ctx.letters.render({
          userIds: chunk,
          paper: "A4",
          cover: {
            title: "Bench",
            printerName: "Bench",
            site: null,
            createdAt: new Date(),
            jobNumber: i + 1,
            jobCount: chunks.length,
            people,
          },
        }),
      );
    }
    const renderSeconds = (performance.now() - t) / 1000;
    let renderPages = 0;
    for (const pdf of rendered) renderPages += await pdfPages(pdf);

    // Baseline 2: one pre-rendered job, sent and confirmed as many times as the batch has jobs.
    const target = await app.ctx.print.printers.target(created.id);
    const driver = app.ctx.print.printers.driverOf(target);
    const sample = rendered[0] as Buffer;
    const samplePages = await pdfPages(sample);
    t = performance.now();
    for (let i = 0; i < chunks.length; i++) {
      const name = `bench-send-${i}`;
      const { printerJobId } = await driver.submit(target, { pdf: sample, jobName: name, userName: "bench" });
      for (let wait = 20; ; wait = Math.min(wait * 2, 1000)) {
        if ((await driver.jobState(target, printerJobId, name)).state === "completed") break;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
    const sendSeconds = (performance.now() - t) / 1000;

    // End to end through the queue, the batch and the worker.
    await app.ctx.print.jobs.queueTonight(created.id, ids, cliActor());
    t = performance.now();
    const run = await app.ctx.print.batch.run("cli", cliActor());
    const jobs = await app.ctx.print.batch.waitFor(run.batch.id, 50);
    const seconds = (performance.now() - t) / 1000;
    const failed = jobs.filter((j) => j.status !== "completed");
    if (failed.length) throw new Error(`bench: ${failed.length} print jobs did not complete: ${failed[0]?.error}`);
    let pages = 0;
    for (const doc of printer.spooled()) if (doc.jobName.startsWith("invite-station-job-")) pages += await pdfPages(doc.pdf);
    return {
      endToEnd: { seconds, pages, jobs: jobs.length },
      renderOnly: { seconds: renderSeconds, pages: renderPages },
      sendOnly: { seconds: sendSeconds, pages: samplePages * chunks.length, jobs: chunks.length },
    };
  } finally {
    await app.stop();
    await printer.stop();
  }
}
