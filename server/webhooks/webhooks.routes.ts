import { type Request, type Response, Router } from "express";
import { NotFoundError, ValidationError } from "../core/errors.js";
import { adminOnly } from "../core/http/auth-middleware.js";
import { flashFrom } from "../core/http/flash.js";
import { idParam } from "../core/http/params.js";
import { sayDeliveryError } from "../notify/index.js";
import { WEBHOOK_EVENTS, type WebhooksService } from "./webhooks.service.js";

/** Administration › Webhooks: register, enable, disable and delete; each one's delivery log. */
export function webhookPages(deps: { webhooks: WebhooksService }): Router {
  const router = Router();
  router.use("/admin/webhooks", adminOnly);

  const render = async (req: Request, res: Response, status: number, locals: Record<string, unknown>) => {
    const hooks = await deps.webhooks.list();
    const withLog = await Promise.all(hooks.map(async (w) => ({ ...w, deliveries: await deps.webhooks.deliveries(w.id) })));
    res.status(status).render("admin/webhooks", {
      title: req.t("titles:webhooks"),
      section: "/admin",
      tab: "webhooks",
      webhooks: withLog,
      knownEvents: WEBHOOK_EVENTS,
      values: { url: "", events: [] },
      errors: {},
      created: null,
      flash: flashFrom(req),
      sayDeliveryError: (text: string) => sayDeliveryError(req.t, text),
      ...locals,
    });
  };

  router.get("/admin/webhooks", (req, res) => render(req, res, 200, {}));

  router.post("/admin/webhooks", async (req, res) => {
    const events = req.body?.events === undefined ? [] : Array.isArray(req.body.events) ? req.body.events : [req.body.events];
    const values = { url: String(req.body?.url ?? ""), events };
    try {
      const created = await deps.webhooks.create({ url: values.url, secret: req.body?.secret, events }, req.actor);
      // The secret is shown this once.
      res.setHeader("Cache-Control", "no-store");
      await render(req, res, 201, { created, flash: null });
    } catch (err) {
      if (err instanceof ValidationError) return render(req, res, 400, { values, errors: err.fieldsIn(req.t), flash: null });
      throw err;
    }
  });

  router.post("/admin/webhooks/:id/:action", async (req, res, next) => {
    const id = idParam(req.params.id);
    const action = req.params.action;
    if (!id || !["enable", "disable", "delete"].includes(action)) return next();
    try {
      if (action === "delete") await deps.webhooks.remove(id, req.actor);
      else await deps.webhooks.setActive(id, action === "enable", req.actor);
    } catch (err) {
      if (err instanceof NotFoundError) return next();
      throw err;
    }
    res.redirect(303, "/admin/webhooks");
  });

  return router;
}
