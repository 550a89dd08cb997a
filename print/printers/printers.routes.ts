import { type Request, type Response, Router } from "express";
import { ConflictError, NotFoundError, ValidationError } from "../../server/core/errors.js";
import { adminOnly, anyStaff } from "../../server/core/http/auth-middleware.js";
import { flashFrom } from "../../server/core/http/flash.js";
import { idParam } from "../../server/core/http/params.js";
import type { Facets } from "../../server/people/index.js";
import type { PrintBatch } from "../batch/batch.service.js";
import { DRIVERS, SIDES } from "../drivers/driver.js";
import type { PrintJobsService } from "../queue/print-jobs.service.js";
import { PAPERS } from "./printers.schema.js";
import type { PrintersService } from "./printers.service.js";
import type { Printer } from "./printers.types.js";

type Deps = {
  printers: PrintersService;
  jobs: Pick<PrintJobsService, "waitingCount" | "list">;
  batch: Pick<PrintBatch, "recent">;
  facets: Pick<Facets, "values">;
  /** PRINT_BATCH_CRON, shown with the overnight batch. */
  printBatchCron: string;
};

const FORM_KEYS = ["name", "site", "driver", "uri", "paper", "sides", "copies", "username", "password"] as const;

/** Form fields as the service takes them (an unticked checkbox sends nothing: it means false). */
function formInput(body: Record<string, unknown>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const k of FORM_KEYS) input[k] = typeof body[k] === "string" ? body[k] : "";
  input.siteDefault = body.siteDefault === "on";
  if (body.removePassword === "on") input.password = null;
  return input;
}

/**
 * Printers: the list with each one's live status, a page per printer (its Test button asks
 * Get-Printer-Attributes), and the admin's add, edit and delete forms.
 */
export function printerPages(deps: Deps): Router {
  const router = Router();
  router.use("/printers", anyStaff);

  const renderForm = async (
    req: Request,
    res: Response,
    status: number,
    printer: Printer | null,
    values: Record<string, unknown>,
    errors = {},
    conflict: unknown = null,
  ) => {
    res.status(status).render("printers/form", {
      title: printer ? req.t("titles:editPrinter", { name: printer.name }) : req.t("titles:addPrinter"),
      section: "/printers",
      printer,
      values,
      errors,
      conflict:
        conflict instanceof ConflictError ? { message: conflict.messageIn(req.t), existing: conflict.existing } : conflict,
      drivers: DRIVERS,
      sides: SIDES,
      papers: PAPERS,
      sites: await deps.facets.values("site"),
    });
  };

  router.get("/printers", async (req, res) => {
    const [printers, waiting, batches] = await Promise.all([
      deps.printers.list(),
      deps.jobs.waitingCount(),
      deps.batch.recent(1),
    ]);
    res.render("printers/list", {
      title: req.t("titles:printers"),
      section: "/printers",
      printers,
      waiting,
      lastBatch: batches[0] ?? null,
      cron: deps.printBatchCron,
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      flash: flashFrom(req),
    });
  });

  router.get("/printers/new", adminOnly, (req, res) =>
    renderForm(req, res, 200, null, { driver: "ipp", paper: "A4", sides: "one-sided", copies: "1" }),
  );

  router.post("/printers", adminOnly, async (req, res) => {
    const input = formInput(req.body ?? {});
    try {
      const printer = await deps.printers.create(input, req.actor);
      res.redirect(303, `/printers/${printer.id}?done=printer-created`);
    } catch (err) {
      if (err instanceof ValidationError) return renderForm(req, res, 400, null, input, err.fieldsIn(req.t));
      if (err instanceof ConflictError) return renderForm(req, res, 409, null, input, { name: err.messageIn(req.t) }, err);
      throw err;
    }
  });

  const show = async (req: Request, res: Response, id: number, tested: boolean) => {
    const printer = await deps.printers.get(id);
    const [status, jobs] = await Promise.all([deps.printers.status(id), deps.jobs.list({ limit: 200 })]);
    res.setHeader("Cache-Control", "no-store");
    res.render("printers/show", {
      title: printer.name,
      section: "/printers",
      printer,
      status,
      tested,
      jobs: jobs.filter((j) => j.printerId === id).slice(0, 10),
      flash: flashFrom(req),
    });
  };

  router.get("/printers/:id", async (req, res, next) => {
    const id = idParam(req.params.id);
    if (!id) return next();
    try {
      await show(req, res, id, false);
    } catch (err) {
      if (err instanceof NotFoundError) return next();
      throw err;
    }
  });

  // The Test button: a fresh Get-Printer-Attributes, shown on the printer's page.
  router.post("/printers/:id/test", async (req, res, next) => {
    const id = idParam(req.params.id);
    if (!id) return next();
    await show(req, res, id, true);
  });

  /** For the list's live status cells (session-authenticated JSON). */
  router.get("/printers/:id/status.json", async (req, res, next) => {
    const id = idParam(req.params.id);
    if (!id) return next();
    res.setHeader("Cache-Control", "no-store");
    res.json(await deps.printers.status(id));
  });

  router.get("/printers/:id/edit", adminOnly, async (req, res, next) => {
    const id = idParam(req.params.id);
    if (!id) return next();
    const printer = await deps.printers.get(id);
    await renderForm(req, res, 200, printer, {
      ...printer,
      site: printer.site ?? "",
      username: printer.username ?? "",
      copies: String(printer.copies),
    });
  });

  router.post("/printers/:id", adminOnly, async (req, res, next) => {
    const id = idParam(req.params.id);
    if (!id) return next();
    const printer = await deps.printers.get(id);
    const input = formInput(req.body ?? {});
    // An empty password field keeps the stored one.
    if (input.password === "") delete input.password;
    try {
      await deps.printers.update(id, input, req.actor);
      res.redirect(303, `/printers/${id}?done=printer-updated`);
    } catch (err) {
      if (err instanceof ValidationError) return renderForm(req, res, 400, printer, input, err.fieldsIn(req.t));
      if (err instanceof ConflictError) return renderForm(req, res, 409, printer, input, { name: err.messageIn(req.t) }, err);
      throw err;
    }
  });

  router.post("/printers/:id/delete", adminOnly, async (req, res, next) => {
    const id = idParam(req.params.id);
    if (!id) return next();
    try {
      await deps.printers.remove(id, req.actor);
    } catch (err) {
      if (err instanceof ConflictError) return res.redirect(303, `/printers/${id}?done=printer-busy`);
      throw err;
    }
    res.redirect(303, "/printers?done=printer-deleted");
  });

  return router;
}
