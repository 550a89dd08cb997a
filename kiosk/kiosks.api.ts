import { Router } from "express";
import type { ApiKeyLookup } from "../server/core/auth/principals.js";
import { fromDbTime } from "../server/core/db/convert.js";
import { ValidationError } from "../server/core/errors.js";
import { requireApiKey } from "../server/core/http/auth-middleware.js";
import { jsonObjectBody, pathId } from "../server/core/http/params.js";
import type { KioskLive } from "./kiosk-live.js";
import type { KiosksService } from "./kiosks.service.js";
import type { Kiosk } from "./kiosks.types.js";

const KIOSK_FIELDS = ["name", "site", "language", "rotateSeconds", "idleMessage"] as const;

/**
 * Kiosks through the JSON API (scope `kiosks`; with `invitations` too for what makes a screen show codes): create one (its answer carries the one-time
 * `enrollUrl` to open on the screen), list them with who they show and whether a screen is
 * connected, change, unpair, delete, and put people on them.
 */
export function kiosksApi(ctx: { kiosks: KiosksService; kioskLive: Pick<KioskLive, "online">; apiKeys: ApiKeyLookup }): Router {
  const router = Router();
  const auth = requireApiKey(ctx.apiKeys, "kiosks");
  // What makes a screen show people's codes (a new kiosk's enrolment link, pairing, displaying).
  const showsCodes = requireApiKey(ctx.apiKeys, "kiosks", "invitations");

  const json = async (kiosks: Kiosk[]) => {
    const [online, showing] = await Promise.all([ctx.kioskLive.online(), ctx.kiosks.showing(kiosks.map((k) => k.id))]);
    return kiosks.map((k) => ({
      ...k,
      online: online.has(k.id),
      showing: (showing.get(k.id) ?? []).map((e) => ({
        userId: e.userId,
        label: e.label,
        shown: e.shown,
        expiresAt: fromDbTime(e.expiresAt),
        welcome: e.welcomeUntil !== null,
      })),
    }));
  };
  const one = async (id: number) => (await json([await ctx.kiosks.get(id)]))[0];

  router.post("/kiosks", showsCodes, async (req, res) => {
    const body = jsonObjectBody(req, KIOSK_FIELDS);
    const { kiosk, enrollUrl } = await ctx.kiosks.create(body, req.actor);
    res
      .status(201)
      .location(`${req.baseUrl}/kiosks/${kiosk.id}`)
      .json({ ...(await one(kiosk.id)), enrollUrl });
  });

  router.get("/kiosks", auth, async (_req, res) => {
    const items = await json(await ctx.kiosks.list());
    res.json({ items, total: items.length });
  });

  router.get("/kiosks/:id", auth, async (req, res) => {
    const id = pathId(req, "id", "Kiosk");
    // The enrolment link pairs a screen: only for keys that may see codes.
    const mayEnroll = req.apiKey?.scopes.includes("invitations");
    res.json({ ...(await one(id)), ...(mayEnroll ? { enrollUrl: await ctx.kiosks.enrollUrl(id) } : {}) });
  });

  router.patch("/kiosks/:id", auth, async (req, res) => {
    const id = pathId(req, "id", "Kiosk");
    const body = jsonObjectBody(req, KIOSK_FIELDS);
    const current = await ctx.kiosks.get(id);
    const merged = {
      name: current.name,
      site: current.site,
      language: current.language,
      rotateSeconds: current.rotateSecondsSetting,
      idleMessage: current.idleMessage,
      ...body,
    };
    await ctx.kiosks.update(id, merged, req.actor);
    res.json(await one(id));
  });

  router.delete("/kiosks/:id", auth, async (req, res) => {
    await ctx.kiosks.remove(pathId(req, "id", "Kiosk"), req.actor);
    res.status(204).end();
  });

  router.post("/kiosks/:id/enroll-link", showsCodes, async (req, res) => {
    res.json({ enrollUrl: await ctx.kiosks.newEnrollLink(pathId(req, "id", "Kiosk"), req.actor) });
  });

  router.post("/kiosks/:id/pair", showsCodes, async (req, res) => {
    const id = pathId(req, "id", "Kiosk");
    const body = jsonObjectBody(req, ["code"]);
    await ctx.kiosks.pairWithCode(id, body.code, req.actor);
    res.json(await one(id));
  });

  router.post("/kiosks/:id/unpair", auth, async (req, res) => {
    const id = pathId(req, "id", "Kiosk");
    await ctx.kiosks.unpair(id, req.actor);
    res.json(await one(id));
  });

  router.post("/kiosks/:id/display", showsCodes, async (req, res) => {
    const id = pathId(req, "id", "Kiosk");
    const body = jsonObjectBody(req, ["userId"]);
    const userId = body.userId;
    if (userId === undefined) throw new ValidationError({ userId: "is required" });
    if (typeof userId !== "number" || !Number.isSafeInteger(userId) || userId < 1) {
      throw new ValidationError({ userId: "must be the id of a person (a positive whole number)" });
    }
    const { added } = await ctx.kiosks.display(id, userId, req.actor);
    res.status(added ? 201 : 200).json(await one(id));
  });

  router.delete("/kiosks/:id/display/:userId", auth, async (req, res) => {
    await ctx.kiosks.removeEntry(pathId(req, "id", "Kiosk"), pathId(req, "userId", "Person"), req.actor);
    res.status(204).end();
  });

  return router;
}
