import { Router } from "express";
import { jsonObjectBody, pathId } from "../../server/api/params.js";
import type { Context } from "../../server/context.js";
import { requireApiKey } from "../../server/http/auth-middleware.js";
import { PRINTER_INPUT_KEYS } from "./printer-input.js";

/** Printers through the JSON API (scope "printers"); the password is write-only. */
export function printersApi(ctx: Context): Router {
  const router = Router();
  const auth = requireApiKey(ctx, "printers");
  const explain = { id: "is set by the server and cannot be given", hasPassword: "is set by the server: send password instead" };

  router.post("/printers", auth, async (req, res) => {
    const printer = await ctx.print.printers.create(jsonObjectBody(req, PRINTER_INPUT_KEYS, explain), req.actor);
    res.status(201).location(`${req.baseUrl}/printers/${printer.id}`).json(printer);
  });

  router.get("/printers", auth, async (_req, res) => {
    const items = await ctx.print.printers.list();
    res.json({ items, total: items.length });
  });

  router.get("/printers/:id", auth, async (req, res) => {
    res.json(await ctx.print.printers.get(pathId(req, "id", "Printer")));
  });

  router.patch("/printers/:id", auth, async (req, res) => {
    const id = pathId(req, "id", "Printer");
    res.json(await ctx.print.printers.update(id, jsonObjectBody(req, PRINTER_INPUT_KEYS, explain), req.actor));
  });

  router.delete("/printers/:id", auth, async (req, res) => {
    await ctx.print.printers.remove(pathId(req, "id", "Printer"), req.actor);
    res.status(204).end();
  });

  router.get("/printers/:id/status", auth, async (req, res) => {
    res.setHeader("Cache-Control", "no-store");
    res.json(await ctx.print.printers.status(pathId(req, "id", "Printer")));
  });

  return router;
}
