import busboy from "busboy";
import { type Request, type Response, Router } from "express";
import { AppError, ConflictError, PayloadTooLargeError, ValidationError } from "../../core/errors.js";
import { anyStaff } from "../../core/http/auth-middleware.js";
import { idParam } from "../../core/http/params.js";
import type { TFunction } from "../../core/i18n/index.js";
import { parseListQuery } from "../list-query.schema.js";
import { FIELD_HELP, type ImportField, templateHeader } from "./columns.js";
import { MAX_BYTES, MAX_ROWS } from "./csv-read.js";
import { choicesFromForm } from "./import-choices.js";
import type { ImportsService, ImportView } from "./imports.service.js";
import { type RowError, sayRowError } from "./row-check.js";

const LIMITS = { maxRows: MAX_ROWS, maxMegabytes: MAX_BYTES / 1024 / 1024 };

/** Import pages (upload, dry-run report, import) and the users list's CSV export. */
export function importPages(ctx: { imports: ImportsService }): Router {
  const router = Router();
  router.use("/import", anyStaff);

  const renderUpload = async (res: Response, status: number, error: string | null) => {
    res.status(status).render("import/upload", {
      title: res.locals.t("titles:importPeople"),
      section: "/import",
      recent: await ctx.imports.recent(10),
      fields: (Object.keys(FIELD_HELP) as ImportField[]).map((f) => ({ field: f, ...FIELD_HELP[f] })),
      limits: LIMITS,
      error,
    });
  };

  const renderImport = (res: Response, status: number, imp: ImportView, notice: string | null = null) => {
    res.status(status).render("import/show", {
      title: res.req.t("titles:import", { id: imp.id }),
      section: "/import",
      imp,
      notice,
      fieldLabel: fieldLabel(imp, res.req.t),
      // Row problems in the reader's language (reports without keys, as stored).
      sayProblem: (e: RowError) => sayRowError(res.req.t, e),
    });
  };

  router.get("/import", (_req, res) => renderUpload(res, 200, null));

  router.get("/import/template.csv", (req, res) => {
    const lang = req.query.lang === "es" ? "es" : "en";
    res.setHeader("Content-Type", "text/csv; charset=utf-8");
    res.setHeader("Content-Disposition", `attachment; filename="invite-station-import${lang === "es" ? "-es" : ""}.csv"`);
    res.send(`\uFEFF${templateHeader(lang)}\r\n`);
  });

  router.post("/import", async (req, res) => {
    let imp: ImportView;
    try {
      imp = await receiveUpload(req, ctx);
    } catch (err) {
      if (err instanceof ValidationError)
        return renderUpload(res, 400, Object.values(err.fieldsIn(req.t))[0] ?? err.messageIn(req.t));
      if (err instanceof PayloadTooLargeError) return renderUpload(res, 413, err.messageIn(req.t));
      throw err;
    }
    await ctx.imports.startCheck(imp.id, req.actor);
    res.redirect(303, `/import/${imp.id}`);
  });

  router.get("/import/:id", async (req, res, next) => {
    const id = idParam(req.params.id);
    if (!id) return next();
    renderImport(res, 200, await ctx.imports.get(id));
  });

  router.get("/import/:id/status", async (req, res, next) => {
    const id = idParam(req.params.id);
    if (!id) return next();
    res.setHeader("Cache-Control", "no-store");
    res.json(await ctx.imports.status(id));
  });

  for (const action of ["apply", "check"] as const) {
    router.post(`/import/:id/${action}`, async (req, res, next) => {
      const id = idParam(req.params.id);
      if (!id) return next();
      try {
        if (action === "apply")
          await ctx.imports.startApply(id, req.actor, choicesFromForm((req.body ?? {}) as Record<string, unknown>));
        else await ctx.imports.startCheck(id, req.actor);
      } catch (err) {
        if (err instanceof ConflictError) return renderImport(res, 409, await ctx.imports.get(id), err.message);
        if (err instanceof ValidationError) return renderImport(res, 400, await ctx.imports.get(id), err.message);
        throw err;
      }
      res.redirect(303, `/import/${id}`);
    });
  }

  router.get("/users/export.csv", anyStaff, async (req, res) => {
    // The users list's own filters; paging and sorting do not apply to an export.
    const {
      page: _page,
      pageSize: _size,
      sort: _sort,
      dir: _dir,
      ...filter
    } = parseListQuery(req.query as Record<string, unknown>);
    const delimiter = req.query.sep === "semicolon" || req.query.sep === ";" ? ";" : ",";
    res.setHeader("Content-Type", "text/csv; charset=utf-8");
    res.setHeader("Content-Disposition", `attachment; filename="people-${new Date().toISOString().slice(0, 10)}.csv"`);
    // Personal data: no copy in any cache.
    res.setHeader("Cache-Control", "no-store");
    try {
      await ctx.imports.exportCsv(filter, req.actor, res, { delimiter });
    } catch (err) {
      if (!res.headersSent) throw err;
      // Cut the connection so that the browser reports a failed download, not a short file.
      res.destroy();
    }
  });

  return router;
}

/**
 * Streams the multipart body through busboy: the one file part goes straight to the
 * import service (which caps it at 10 MB); nothing is buffered here.
 */
function receiveUpload(req: Request, ctx: { imports: ImportsService }): Promise<ImportView> {
  const noFile = () => new ValidationError({ file: "Choose a CSV or Excel (.xlsx) file to upload." });
  return new Promise((resolve, reject) => {
    if (!req.is("multipart/form-data")) return reject(noFile());
    let parser: busboy.Busboy;
    try {
      // One byte over the limit lets the service see that the file is too large.
      parser = busboy({
        headers: req.headers,
        // Browsers send the file name as UTF-8 ("página.csv").
        defParamCharset: "utf8",
        limits: { files: 1, fileSize: MAX_BYTES + 1, fields: 10, fieldSize: 4096, parts: 20 },
      });
    } catch {
      return reject(noFile());
    }
    let pending: Promise<ImportView> | null = null;
    parser.on("file", (name, stream, info) => {
      if (name !== "file" || pending || !info.filename) {
        stream.resume();
        return;
      }
      pending = ctx.imports.create(stream, info.filename, req.actor);
      pending.catch(() => {}); // answered at "close"
    });
    parser.on("close", () => (pending ? pending.then(resolve, reject) : reject(noFile())));
    parser.on("error", (err) => {
      req.unpipe(parser);
      req.resume();
      reject(err instanceof AppError ? err : new ValidationError({ file: "The upload was cut off or malformed; try again." }));
    });
    req.pipe(parser);
  });
}

/** How the report names a field: the file's own column header, else the field's label, in the reader's language. */
function fieldLabel(imp: ImportView, t: TFunction): (field: string) => string {
  const byField = new Map<string, string>();
  for (const c of imp.report?.columns ?? []) if (c.field && !byField.has(c.field)) byField.set(c.field, c.header);
  return (field) => {
    if (field === "row") return t("imports:field.row");
    const label = field in FIELD_HELP ? t(`imports:field.${field}`) : field;
    const header = byField.get(field);
    return header && header.toLowerCase() !== label.toLowerCase() ? `${header} (${label.toLowerCase()})` : label;
  };
}
