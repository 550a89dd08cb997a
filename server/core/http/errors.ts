import type { NextFunction, Request, Response } from "express";
import {
  AppError,
  ConflictError,
  isDatabaseUnavailable,
  PayloadTooLargeError,
  RateLimitedError,
  SetupIncompleteError,
  ValidationError,
} from "../errors.js";
import type { Logger } from "../log.js";

export const isApiRequest = (req: Request) => req.originalUrl.startsWith("/api/");

/** Body-parser and database failures in the terms of our own errors. */
function classify(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  const e = err as { type?: string; status?: number; message?: string };
  if (e?.type === "entity.too.large") return new PayloadTooLargeError("The request body is too large.");
  if (e?.type === "entity.parse.failed")
    return new ValidationError({ body: "is not valid JSON" }, "The request body is not valid JSON.");
  if (e?.type === "charset.unsupported" || e?.type === "encoding.unsupported") {
    return new AppError("The request body must be UTF-8.", 415, "Unsupported media type");
  }
  if (isDatabaseUnavailable(err)) {
    return new AppError("The database cannot be reached right now. Try again in a moment.", 503, "Service unavailable");
  }
  return null;
}

/** The one error handler: problem+json for the API, a friendly page for people. */
export function errorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const known = classify(err);
    const status = known?.status ?? 500;
    if (status >= 500) req.log?.error({ err }, "request failed");
    else if (!known) log.warn({ err }, "unclassified error");
    if (res.headersSent) return res.end();
    if (known instanceof RateLimitedError) res.setHeader("Retry-After", String(known.retryAfterSeconds));
    if (status === 503) res.setHeader("Retry-After", "5");
    const title = known?.title ?? "Internal error";
    const detail = known?.message ?? "Something went wrong on our side. It has been logged.";
    if (isApiRequest(req)) {
      const body: Record<string, unknown> = {
        type: "about:blank",
        title,
        status,
        detail,
        instance: req.originalUrl.split("?")[0],
      };
      if (known instanceof ValidationError) body.errors = known.fields;
      if (known instanceof SetupIncompleteError) body.missing = known.missing;
      if (known instanceof ConflictError && known.existing) {
        body.existing = { ...known.existing, url: `/api/v1/${known.existing.type}s/${known.existing.id}` };
      }
      return res.status(status).type("application/problem+json").send(JSON.stringify(body));
    }
    if (known instanceof SetupIncompleteError && req.t) {
      // The page's own words: the banner's sentence, in the reader's language.
      const t = req.t;
      const missing = known.missing.map((m) => t(`common:setup.field.${m}`)).reduce((a, b) => t("common:setup.and", { a, b }));
      return res.status(status).render("errors/error", {
        title: t("common:setup.incompleteTitle"),
        status,
        detail: t("common:setup.incompleteBody", { missing, count: known.missing.length }),
        fields: null,
      });
    }
    // A page speaks the reader's language: the title by status, the message by its key.
    const t = req.t;
    res.status(status).render("errors/error", {
      title: t ? t(`common:error.title.${status}`, { defaultValue: title }) : title,
      status,
      detail: known ? known.messageIn(t) : t ? t("common:error.internal") : detail,
      fields: known instanceof ValidationError ? known.fieldsIn(t) : null,
    });
  };
}

export function notFound(req: Request, res: Response) {
  if (isApiRequest(req)) {
    return res
      .status(404)
      .type("application/problem+json")
      .send(
        JSON.stringify({
          type: "about:blank",
          title: "Not found",
          status: 404,
          detail: `No route ${req.method} ${req.originalUrl.split("?")[0]}`,
        }),
      );
  }
  const t = req.t;
  res.status(404).render("errors/error", {
    title: t ? t("common:error.notFoundTitle") : "Page not found",
    status: 404,
    detail: t ? t("common:error.notFoundBody") : "There is nothing at this address.",
    fields: null,
  });
}
