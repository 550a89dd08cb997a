import { createHash } from "node:crypto";
import type { PrintJob } from "../../print/queue/jobs.repo.js";
import { cliActor } from "../../server/core/events.js";
import { call } from "./api-client.js";
import type { TestApp } from "./app.js";
import { personInput } from "./people.js";
import { waitFor } from "./process.js";

/** Short retry settings: a retried job is due again within a second. */
export const FAST_RETRY = { PRINT_RETRY_SECONDS: "1", PRINT_RETRY_LIMIT: "5" };

export const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** Registers `n` pending people spread over sites and departments; returns their ids in creation order. */
export async function registerPeople(app: TestApp, n: number, prefix = "Person"): Promise<number[]> {
  const sites = ["Madrid", "Bilbao", null];
  const departments = ["Sales", "Logistics", "Finance", null];
  const lastNames = ["García", "Zubiri", "Álvarez", "Núñez", "Ortega", "Bautista", "Iglesias", "Castro", "Moreno", "Díaz"];
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const user = await app.ctx.users.create(
      personInput({
        firstName: `${prefix}${i}`,
        lastName: lastNames[(i * 7) % lastNames.length] as string,
        site: sites[i % sites.length] ?? null,
        department: departments[(i * 3) % departments.length] ?? null,
      }),
      cliActor(),
    );
    ids.push(user.id);
  }
  return ids;
}

/** The job as the API reports it, once it is completed, failed or canceled. */
export async function finalJob(app: TestApp, key: string, id: number, ms = 120_000): Promise<PrintJob> {
  return waitFor(
    async () => {
      const r = await call(app, "GET", `/print-jobs/${id}`, { key });
      return ["completed", "failed", "canceled"].includes(r.body.status) ? (r.body as PrintJob) : null;
    },
    ms,
    `print job #${id} to finish`,
  );
}

/** What the worker sent, by the job-name of each attempt (from the print.job.sent events). */
export function recordSends(app: TestApp): Map<string, { printJobId: number; sha: string }> {
  const sent = new Map<string, { printJobId: number; sha: string }>();
  app.ctx.events.on("print.job.sent", (e) => {
    sent.set(String(e.jobName), { printJobId: Number(e.printJobId), sha: String(e.documentSha256) });
  });
  return sent;
}
