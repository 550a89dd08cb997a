import { Router } from "express";
import type { ApiKeyLookup } from "../../server/core/auth/principals.js";
import { ValidationError } from "../../server/core/errors.js";
import { requireApiKey } from "../../server/core/http/auth-middleware.js";
import { jsonObjectBody, pathId } from "../../server/core/http/params.js";
import { message } from "../../server/core/message.js";
import type { UsersService } from "../../server/people/index.js";
import type { PrintBatch } from "../batch/batch.service.js";
import type { PrintersService } from "../printers/printers.service.js";
import { parseDecision, parsePrintRequest } from "./print-jobs.schema.js";
import type { PrintJobsService } from "./print-jobs.service.js";

type Deps = {
  apiKeys: ApiKeyLookup;
  users: Pick<UsersService, "get">;
  printers: Pick<PrintersService, "defaultFor">;
  jobs: PrintJobsService;
  batch: Pick<PrintBatch, "run">;
};

/**
 * Print jobs through the JSON API (scope "printers"; printing needs "invitations" too): print now (a job to follow by its
 * id), queue for tonight (the batch makes the jobs), and run the batch now.
 */
export function printJobsApi(deps: Deps): Router {
  const router = Router();
  const auth = requireApiKey(deps.apiKeys, "printers");
  // Printing puts people's codes on paper: only with `invitations` too.
  const prints = requireApiKey(deps.apiKeys, "printers", "invitations");

  router.post("/print-jobs", prints, async (req, res) => {
    const { printerId, userIds, when } = parsePrintRequest(jsonObjectBody(req, ["printerId", "userIds", "when"]));
    if (when === "tonight") {
      const { queued } = await deps.jobs.queueTonight(printerId, userIds, req.actor);
      return res.status(202).json({ id: null, status: "queued", when, printerId, queued });
    }
    const chosen = printerId ?? (await defaultPrinter(deps, userIds[0] as number));
    const job = await deps.jobs.printNow(chosen, userIds, req.actor);
    res.status(201).location(`${req.baseUrl}/print-jobs/${job.id}`).json(job);
  });

  router.get("/print-jobs", auth, async (req, res) => {
    const batch =
      typeof req.query.batch === "string" && /^[1-9]\d{0,9}$/.test(req.query.batch) ? Number(req.query.batch) : undefined;
    const items = await deps.jobs.list({ batchId: batch, limit: 200 });
    res.json({ items, total: items.length });
  });

  router.get("/print-jobs/:id", auth, async (req, res) => {
    res.setHeader("Cache-Control", "no-store");
    res.json(await deps.jobs.get(pathId(req, "id", "Print job")));
  });

  router.post("/print-jobs/:id/cancel", auth, async (req, res) => {
    res.json(await deps.jobs.cancel(pathId(req, "id", "Print job"), req.actor));
  });

  router.post("/print-jobs/:id/decision", prints, async (req, res) => {
    const decision = parseDecision((req.body as { decision?: unknown } | undefined)?.decision);
    res.json(await deps.jobs.decide(pathId(req, "id", "Print job"), decision, req.actor));
  });

  router.get("/print-jobs/:id/history", auth, async (req, res) => {
    const id = pathId(req, "id", "Print job");
    await deps.jobs.get(id);
    res.json({ items: await deps.jobs.history(id) });
  });

  router.post("/print-batches/run", prints, async (req, res) => {
    const run = await deps.batch.run("api", req.actor);
    res.status(201).json({ batch: run.batch, jobs: run.jobs, noPrinter: run.noPrinter, deadLinks: run.deadLinks });
  });

  return router;
}

/** The printer of the first person's site, or a 400 asking for one. */
async function defaultPrinter(deps: Deps, userId: number): Promise<number> {
  const user = await deps.users.get(userId).catch(() => null);
  const printer = await deps.printers.defaultFor(user?.site ?? null);
  if (!printer) throw new ValidationError({ printerId: message("errors:print.noDefaultPrinter") });
  return printer.id;
}
