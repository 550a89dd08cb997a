import { Router } from "express";
import type { ApiKeyLookup } from "../../server/core/auth/principals.js";
import { ForbiddenError } from "../../server/core/errors.js";
import { requireApiKey } from "../../server/core/http/auth-middleware.js";
import { jsonObjectBody, pathId } from "../../server/core/http/params.js";
import { PRINTER_INPUT_KEYS } from "./printers.schema.js";
import type { PrintersService } from "./printers.service.js";

/**
 * Printers through the JSON API (scope "printers"; adding one or changing its address needs
 * "invitations" too); the password is write-only.
 */
export function printersApi(deps: { apiKeys: ApiKeyLookup; printers: PrintersService }): Router {
  const router = Router();
  const auth = requireApiKey(deps.apiKeys, "printers");
  // Where letters go: registering a printer or moving one needs `invitations` too, or a key
  // could send the overnight batch's codes to an address it listens on.
  const routesLetters = requireApiKey(deps.apiKeys, "printers", "invitations");
  const explain = { id: "is set by the server and cannot be given", hasPassword: "is set by the server: send password instead" };

  router.post("/printers", routesLetters, async (req, res) => {
    const printer = await deps.printers.create(jsonObjectBody(req, PRINTER_INPUT_KEYS, explain), req.actor);
    res.status(201).location(`${req.baseUrl}/printers/${printer.id}`).json(printer);
  });

  router.get("/printers", auth, async (_req, res) => {
    const items = await deps.printers.list();
    res.json({ items, total: items.length });
  });

  router.get("/printers/:id", auth, async (req, res) => {
    res.json(await deps.printers.get(pathId(req, "id", "Printer")));
  });

  router.patch("/printers/:id", auth, async (req, res) => {
    const id = pathId(req, "id", "Printer");
    const body = jsonObjectBody(req, PRINTER_INPUT_KEYS, explain);
    const current = await deps.printers.get(id);
    const moves =
      (body.uri !== undefined && body.uri !== current.uri) || (body.driver !== undefined && body.driver !== current.driver);
    if (moves && !req.apiKey?.scopes.includes("invitations")) {
      throw new ForbiddenError(
        'This API key lacks the scope "invitations" (changing a printer\'s address needs printers + invitations).',
      );
    }
    res.json(await deps.printers.update(id, body, req.actor));
  });

  router.delete("/printers/:id", auth, async (req, res) => {
    await deps.printers.remove(pathId(req, "id", "Printer"), req.actor);
    res.status(204).end();
  });

  router.get("/printers/:id/status", auth, async (req, res) => {
    res.setHeader("Cache-Control", "no-store");
    res.json(await deps.printers.status(pathId(req, "id", "Printer")));
  });

  return router;
}
