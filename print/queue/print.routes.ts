import { type Request, Router } from "express";
import type { Knex } from "knex";
import { ConflictError, NotFoundError, ValidationError } from "../../server/core/errors.js";
import { anyStaff } from "../../server/core/http/auth-middleware.js";
import { flashFrom } from "../../server/core/http/flash.js";
import { idList, idParam } from "../../server/core/http/params.js";
import { message } from "../../server/core/message.js";
import type { BulkTarget } from "../../server/notify/index.js";
import { type GroupsService, iterateUsers, type UsersService } from "../../server/people/index.js";
import type { PrintBatch } from "../batch/batch.service.js";
import type { PrintersService } from "../printers/printers.service.js";
import { parseDecision } from "./print-jobs.schema.js";
import { MAX_PRINT_NOW, MAX_QUEUE_AT_ONCE, type PrintJobsService } from "./print-jobs.service.js";
import { sayPrintText } from "./print-words.js";

type Deps = {
  /** For people's own list of a group's pending members (iterateUsers). */
  db: Knex;
  users: Pick<UsersService, "get" | "getMany">;
  groups: Pick<GroupsService, "get">;
  printers: Pick<PrintersService, "list" | "defaultFor">;
  jobs: PrintJobsService;
  batch: Pick<PrintBatch, "run" | "recent" | "waitingWithDeadLinks">;
  /** The bulk invite's people no email or SMS reaches (notify). */
  unreachableIds: (target: BulkTarget, max: number) => Promise<number[]>;
  /** PRINT_BATCH_CRON and PRINT_BATCH_SIZE, shown with the overnight batch. */
  printBatchCron: string;
  printBatchSize: number;
};

/** A same-site path to go back to after a form (never an outside URL). */
const backOf = (v: unknown, fallback: string) =>
  typeof v === "string" && /^\/(users|groups|invite|print)[\w/?=&%-]*$/.test(v) ? v : fallback;

/**
 * Printing from the pages: choose a printer for a person, a selection or a group's pending
 * members, print now (then follow the job live) or queue for tonight; the print jobs list
 * with "Run the batch now"; a job's page.
 */
export function printPages(deps: Deps): Router {
  const router = Router();
  router.use(["/print", "/print-jobs", "/print-batches"], anyStaff);

  /** The people a selection or a group stands for: pending ones only. */
  const chosenPeople = async (input: Record<string, unknown>) => {
    const group = idParam(input.group);
    if (group) {
      await deps.groups.get(group);
      const ids: number[] = [];
      for await (const users of iterateUsers(deps.db, { status: "pending", groupId: group }, 500)) {
        ids.push(...users.map((u) => u.id));
        if (ids.length > MAX_QUEUE_AT_ONCE) break;
      }
      return { ids, group };
    }
    const ids = idList(input.ids);
    if (!ids.length) throw new ValidationError({ ids: message("errors:print.choosePersonToPrint") });
    return { ids, group: null };
  };

  router.get("/print", async (req, res) => {
    const { ids, group } = await chosenPeople(req.query as Record<string, unknown>);
    const shown = ids.slice(0, MAX_QUEUE_AT_ONCE);
    const found = await deps.users.getMany(shown);
    const pending = shown.flatMap((id) => {
      const user = found.get(id);
      return user?.status === "pending" ? [user] : [];
    });
    const printers = await deps.printers.list();
    const firstSite = pending[0]?.site ?? null;
    const suggested = await deps.printers.defaultFor(firstSite, printers);
    const groupInfo = group ? await deps.groups.get(group) : null;
    res.render("print/choose", {
      title: req.t("titles:printInvitations"),
      section: "/users",
      people: pending,
      skipped: ids.length - pending.length,
      group: groupInfo,
      printers,
      suggested: suggested?.id ?? null,
      maxNow: MAX_PRINT_NOW,
      back: groupInfo ? `/groups/${groupInfo.id}` : "/users",
    });
  });

  router.post("/print", async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const { ids } = await chosenPeople(body);
    const when = body.when === "tonight" ? "tonight" : "now";
    const chosen = idParam(body.printerId);
    const back = backOf(body.back, "/users");
    try {
      if (when === "tonight") {
        // A selection may hold people who joined meanwhile: queue the others.
        await deps.jobs.queueTonight(chosen, ids, req.actor, { skipNotPending: ids.length > 1 });
        const sep = back.includes("?") ? "&" : "?";
        return res.redirect(303, `${back}${sep}done=print-queued`);
      }
      let printerId = chosen;
      if (!printerId) {
        const first = await deps.users.get(ids[0] as number);
        printerId = (await deps.printers.defaultFor(first.site))?.id ?? null;
      }
      if (!printerId) throw new ValidationError({ printerId: message("errors:print.choosePrinter") });
      const job = await deps.jobs.printNow(printerId, ids, req.actor);
      res.redirect(303, `/print-jobs/${job.id}`);
    } catch (err) {
      if (err instanceof ConflictError || err instanceof ValidationError) {
        const detail = err instanceof ValidationError ? Object.values(err.fieldsIn(req.t)).join("; ") : err.messageIn(req.t);
        return res
          .status(err.status)
          .render("errors/error", { title: req.t("titles:cannotPrint"), status: err.status, detail, fields: null });
      }
      throw err;
    }
  });

  // The bulk invite's "no phone, no email" people: queued for tonight on their site's printer.
  router.post("/print/unreachable", async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const target: BulkTarget = idParam(body.group)
      ? { groupId: idParam(body.group) as number }
      : body.all === "1"
        ? { all: true }
        : { ids: idList(body.ids) };
    const ids = await deps.unreachableIds(target, MAX_QUEUE_AT_ONCE);
    if (!ids.length) return res.redirect(303, "/print-jobs?done=print-nobody");
    await deps.jobs.queueTonight(null, ids, req.actor, { skipNotPending: true });
    res.redirect(303, "/print-jobs?done=print-queued");
  });

  router.post("/users/:id/print-queue/remove", anyStaff, async (req, res, next) => {
    const id = idParam(req.params.id);
    if (!id) return next();
    try {
      await deps.jobs.dequeue(id, req.actor);
    } catch (err) {
      if (!(err instanceof NotFoundError || err instanceof ConflictError)) throw err;
    }
    res.redirect(303, `/users/${id}?done=print-dequeued`);
  });

  router.get("/print-jobs", async (req, res) => {
    const batchId = idParam(req.query.batch) ?? undefined;
    const [jobs, waiting, batches, deadLinks, unconfirmed] = await Promise.all([
      deps.jobs.list({ batchId, limit: 100 }),
      deps.jobs.waitingCount(),
      deps.batch.recent(5),
      deps.batch.waitingWithDeadLinks(),
      deps.jobs.unconfirmed(),
    ]);
    const names = await deps.users.getMany(unconfirmed.flatMap((u) => u.userIds.slice(0, 50)));
    const toDecide = unconfirmed.map(({ job, userIds }) => ({
      job,
      more: Math.max(0, userIds.length - 50),
      people: userIds.slice(0, 50).flatMap((id) => {
        const u = names.get(id);
        return u ? [{ id, name: `${u.firstName} ${u.lastName}`.trim() }] : [];
      }),
    }));
    res.render("print/jobs", {
      title: req.t("titles:printJobs"),
      section: "/printers",
      jobs,
      waiting,
      batches,
      deadLinks,
      toDecide,
      batchId: batchId ?? null,
      cron: deps.printBatchCron,
      batchSize: deps.printBatchSize,
      flash: flashFrom(req),
    });
  });

  router.post("/print-batches/run", async (req, res) => {
    const run = await deps.batch.run("button", req.actor);
    const done = run.deadLinks ? "batch-dead-links" : run.jobs.length ? "batch-started" : "batch-empty";
    res.redirect(303, `/print-jobs?batch=${run.batch.id}&done=${done}`);
  });

  const jobOf = async (req: Request) => {
    const id = idParam(String(req.params.id).replace(/\.json$/, ""));
    return id ? deps.jobs.get(id) : null;
  };

  router.get("/print-jobs/:id.json", async (req, res, next) => {
    const job = await jobOf(req).catch(() => null);
    if (!job) return next();
    res.setHeader("Cache-Control", "no-store");
    // The page's own feed: the error in the page's language (the API keeps the English).
    res.json({ ...job, error: job.error === null ? null : sayPrintText(req.t, job.error) });
  });

  router.get("/print-jobs/:id", async (req, res, next) => {
    const job = await jobOf(req).catch((err) => {
      if (err instanceof NotFoundError) return null;
      throw err;
    });
    if (!job) return next();
    const ids = await deps.jobs.people(job.id);
    const found = await deps.users.getMany(ids.slice(0, 500));
    const people = ids.slice(0, 500).flatMap((id) => found.get(id) ?? []);
    const history = await deps.jobs.history(job.id);
    res.render("print/job", {
      title: req.t("titles:printJob", { id: job.id }),
      section: "/printers",
      job,
      people,
      history,
      flash: flashFrom(req),
    });
  });

  router.post("/print-jobs/:id/decision", async (req, res, next) => {
    const id = idParam(req.params.id);
    if (!id) return next();
    // An unknown decision is refused (400, naming the field), never taken for "print again".
    const decision = parseDecision((req.body as { decision?: unknown }).decision);
    try {
      await deps.jobs.decide(id, decision, req.actor);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      return res.redirect(303, `/print-jobs/${id}?done=print-nothing-to-decide`);
    }
    res.redirect(303, `/print-jobs/${id}?done=${decision === "printed" ? "print-marked-printed" : "print-again"}`);
  });

  router.post("/print-jobs/:id/cancel", async (req, res, next) => {
    const id = idParam(req.params.id);
    if (!id) return next();
    try {
      await deps.jobs.cancel(id, req.actor);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      return res.redirect(303, `/print-jobs/${id}?done=print-not-cancelable`);
    }
    res.redirect(303, `/print-jobs/${id}?done=print-canceled`);
  });

  return router;
}
