import { Router } from "express";
import { ValidationError } from "../../server/core/errors.js";
import { requireApiKey } from "../../server/core/http/auth-middleware.js";
import { jsonObjectBody, pathId } from "../../server/core/http/params.js";
import type { Context } from "../../server/station.js";
import { parsePrintRequest } from "./print-request.js";

/**
 * Print jobs through the JSON API (scope "printers"; printing needs "invitations" too): print now (a job to follow by its
 * id), queue for tonight (the batch makes the jobs), and run the batch now.
 */
export function printJobsApi(ctx: Context): Router {
  const router = Router();
  const auth = requireApiKey(ctx.apiKeys, "printers");
  // Printing puts people's codes on paper: only with `invitations` too.
  const prints = requireApiKey(ctx.apiKeys, "printers", "invitations");

  router.post("/print-jobs", prints, async (req, res) => {
    const { printerId, userIds, when } = parsePrintRequest(jsonObjectBody(req, ["printerId", "userIds", "when"]));
    if (when === "tonight") {
      const { queued } = await ctx.print.jobs.queueTonight(printerId, userIds, req.actor);
      return res.status(202).json({ id: null, status: "queued", when, printerId, queued });
    }
    const chosen = printerId ?? (await defaultPrinter(ctx, userIds[0] as number));
    const job = await ctx.print.jobs.printNow(chosen, userIds, req.actor);
    res.status(201).location(`${req.baseUrl}/print-jobs/${job.id}`).json(job);
  });

  router.get("/print-jobs", auth, async (req, res) => {
    const batch =
      typeof req.query.batch === "string" && /^[1-9]\d{0,9}$/.test(req.query.batch) ? Number(req.query.batch) : undefined;
    const items = await ctx.print.jobs.list({ batchId: batch, limit: 200 });
    res.json({ items, total: items.length });
  });

  router.get("/print-jobs/:id", auth, async (req, res) => {
    res.setHeader("Cache-Control", "no-store");
    res.json(await ctx.print.jobs.get(pathId(req, "id", "Print job")));
  });

  router.post("/print-jobs/:id/cancel", auth, async (req, res) => {
    res.json(await ctx.print.jobs.cancel(pathId(req, "id", "Print job"), req.actor));
  });

  router.post("/print-jobs/:id/decision", prints, async (req, res) => {
    const decision = (req.body as { decision?: unknown } | undefined)?.decision;
    if (decision !== "reprint" && decision !== "printed")
      throw new ValidationError({ decision: "is required: 'reprint' (print it again) or 'printed' (mark as printed)" });
    res.json(await ctx.print.jobs.decide(pathId(req, "id", "Print job"), decision, req.actor));
  });

  router.get("/print-jobs/:id/history", auth, async (req, res) => {
    const id = pathId(req, "id", "Print job");
    await ctx.print.jobs.get(id);
    res.json({ items: await ctx.print.jobs.history(id) });
  });

  router.post("/print-batches/run", prints, async (req, res) => {
    const run = await ctx.print.batch.run("api", req.actor);
    res.status(201).json({ batch: run.batch, jobs: run.jobs, noPrinter: run.noPrinter, deadLinks: run.deadLinks });
  });

  return router;
}

/** The printer of the first person's site, or a 400 asking for one. */
async function defaultPrinter(ctx: Context, userId: number): Promise<number> {
  const user = await ctx.users.get(userId).catch(() => null);
  const printer = await ctx.print.printers.defaultFor(user?.site ?? null);
  if (!printer) throw new ValidationError({ printerId: "is required: there is no default printer for this site" });
  return printer.id;
}
