import { type NextFunction, type Request, type Response, Router } from "express";
import type { Config } from "../server/core/config.js";
import { ConflictError, NotFoundError, ValidationError } from "../server/core/errors.js";
import { adminOnly, anyStaff } from "../server/core/http/auth-middleware.js";
import { idParam } from "../server/core/http/params.js";
import { LANGUAGE_NAMES, LANGUAGES } from "../server/people/index.js";
import type { KioskLive } from "./kiosk-live.js";
import type { KiosksService } from "./kiosks.service.js";
import type { Kiosk } from "./kiosks.types.js";

const DONE: Record<string, string> = {
  created: "Kiosk created. Open its enrolment link on the screen, or type the code an unpaired screen shows.",
  updated: "Kiosk saved. Its screen shows the change at once.",
  paired: "Screen paired. It shows this kiosk within a few seconds.",
  unpaired: "Screen unpaired. It went back to the pairing view.",
  deleted: "Kiosk deleted.",
  link: "New enrolment link made; the previous one no longer works.",
  removed: "Taken off the kiosk.",
};

type AdminPagesDeps = {
  kiosks: KiosksService;
  /** Which kiosks have a screen connected. */
  kioskLive: Pick<KioskLive, "online">;
  config: Pick<Config, "kioskRotateSeconds" | "kioskDisplayMinutes">;
};

/** Kiosks page (staff see status and who is shown; admins manage), and "Show on kiosk". */
export function kioskAdminPages(ctx: AdminPagesDeps): Router {
  const router = Router();

  const kioskList = async () => {
    const kiosks = await ctx.kiosks.list();
    const [online, showing] = await Promise.all([ctx.kioskLive.online(), ctx.kiosks.showing(kiosks.map((k) => k.id))]);
    return kiosks.map((k) => ({ ...k, online: online.has(k.id), showing: showing.get(k.id) ?? [] }));
  };

  router.get("/kiosks", anyStaff, async (req, res) => {
    res.render("kiosks/list", {
      title: req.t("titles:kiosks"),
      section: "/kiosks",
      kiosks: await kioskList(),
      values: { language: (res.locals.settings as { defaultLanguage: string }).defaultLanguage },
      errors: {},
      languages: LANGUAGES.map((code) => ({ code, name: LANGUAGE_NAMES[code] })),
      defaultRotate: ctx.config.kioskRotateSeconds,
      displayMinutes: ctx.config.kioskDisplayMinutes,
      done: DONE[String(req.query.done ?? "")] ?? null,
    });
  });

  // What the Kiosks page redraws when a kiosk connects, disconnects or changes what it shows.
  router.get("/kiosks/live.json", anyStaff, async (_req, res) => {
    res.setHeader("Cache-Control", "no-store");
    res.json(
      (await kioskList()).map((k) => ({
        id: k.id,
        online: k.online,
        paired: k.paired,
        lastSeenAt: k.lastSeenAt,
        showing: k.showing.map((e) => ({ label: e.label, shown: e.shown, welcome: e.welcomeUntil !== null })),
      })),
    );
  });

  router.post("/kiosks", adminOnly, async (req, res) => {
    try {
      const { kiosk } = await ctx.kiosks.create(req.body, req.actor);
      res.redirect(303, `/kiosks/${kiosk.id}?done=created`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      res.status(400).render("kiosks/list", {
        title: req.t("titles:kiosks"),
        section: "/kiosks",
        kiosks: await kioskList(),
        values: req.body ?? {},
        errors: err.fieldsIn(req.t),
        languages: LANGUAGES.map((code) => ({ code, name: LANGUAGE_NAMES[code] })),
        defaultRotate: ctx.config.kioskRotateSeconds,
        displayMinutes: ctx.config.kioskDisplayMinutes,
        done: null,
      });
    }
  });

  /** "Show on kiosk" from a profile, a group page or the people list's selection. */
  router.post("/kiosks/show", anyStaff, async (req, res) => {
    const back = safeBack(req.body?.back);
    const kioskId = idParam(String(req.body?.kioskId ?? ""));
    const raw = req.body?.ids;
    const ids = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
      .map((v) => idParam(String(v)))
      .filter(Boolean) as number[];
    if (!kioskId) return res.redirect(303, withNotice(back, "kiosk-choose"));
    if (!ids.length) return res.redirect(303, withNotice(back, "nothing-selected"));
    let shown = 0;
    let skipped = 0;
    for (const id of ids.slice(0, 200)) {
      try {
        await ctx.kiosks.display(kioskId, id, req.actor);
        shown++;
      } catch (err) {
        if (err instanceof NotFoundError && /Kiosk/.test(err.message)) return res.redirect(303, withNotice(back, "kiosk-choose"));
        if (err instanceof ConflictError || err instanceof NotFoundError) skipped++;
        else throw err;
      }
    }
    res.redirect(303, `/kiosks/${kioskId}?done=shown&shown=${shown}&skipped=${skipped}`);
  });

  const load = async (req: Request, next: NextFunction): Promise<Kiosk | null> => {
    const id = idParam(req.params.id as string);
    if (!id) {
      next();
      return null;
    }
    try {
      return await ctx.kiosks.get(id);
    } catch (err) {
      if (err instanceof NotFoundError) {
        next();
        return null;
      }
      throw err;
    }
  };

  const renderOne = async (req: Request, res: Response, kiosk: Kiosk, status: number, extra: Record<string, unknown> = {}) => {
    const [online, showing] = await Promise.all([ctx.kioskLive.online(), ctx.kiosks.showing([kiosk.id])]);
    const shown = Number(req.query.shown ?? 0);
    const skipped = Number(req.query.skipped ?? 0);
    const doneText =
      req.query.done === "shown"
        ? `${shown === 1 ? "1 person is" : `${shown} people are`} on this kiosk now.${skipped ? ` ${skipped} skipped: joined already, deactivated or without a valid invitation.` : ""}`
        : (DONE[String(req.query.done ?? "")] ?? null);
    res.setHeader("Cache-Control", "no-store");
    res.status(status).render("kiosks/show", {
      title: kiosk.name,
      section: "/kiosks",
      kiosk: { ...kiosk, online: online.has(kiosk.id), showing: showing.get(kiosk.id) ?? [] },
      enrollUrl: req.admin?.role === "admin" ? await ctx.kiosks.enrollUrl(kiosk.id) : null,
      values: {
        name: kiosk.name,
        site: kiosk.site ?? "",
        language: kiosk.language,
        rotateSeconds: kiosk.rotateSecondsSetting ?? "",
        idleMessage: kiosk.idleMessage ?? "",
      },
      errors: {},
      pairErrors: {},
      languages: LANGUAGES.map((code) => ({ code, name: LANGUAGE_NAMES[code] })),
      defaultRotate: ctx.config.kioskRotateSeconds,
      displayMinutes: ctx.config.kioskDisplayMinutes,
      done: doneText,
      ...extra,
    });
  };

  router.get("/kiosks/:id", anyStaff, async (req, res, next) => {
    const kiosk = await load(req, next);
    if (kiosk) await renderOne(req, res, kiosk, 200);
  });

  router.post("/kiosks/:id", adminOnly, async (req, res, next) => {
    const kiosk = await load(req, next);
    if (!kiosk) return;
    try {
      await ctx.kiosks.update(kiosk.id, req.body, req.actor);
      res.redirect(303, `/kiosks/${kiosk.id}?done=updated`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await renderOne(req, res, kiosk, 400, { values: req.body ?? {}, errors: err.fieldsIn(req.t), done: null });
    }
  });

  router.post("/kiosks/:id/pair", adminOnly, async (req, res, next) => {
    const kiosk = await load(req, next);
    if (!kiosk) return;
    try {
      await ctx.kiosks.pairWithCode(kiosk.id, req.body?.code, req.actor);
      res.redirect(303, `/kiosks/${kiosk.id}?done=paired`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await renderOne(req, res, kiosk, 400, {
        pairErrors: err.fieldsIn(req.t),
        pairValue: String(req.body?.code ?? ""),
        done: null,
      });
    }
  });

  const simple: Record<string, (id: number, req: Request) => Promise<unknown>> = {
    unpair: (id, req) => ctx.kiosks.unpair(id, req.actor),
    "enroll-link": (id, req) => ctx.kiosks.newEnrollLink(id, req.actor),
  };
  for (const [action, run] of Object.entries(simple)) {
    router.post(`/kiosks/:id/${action}`, adminOnly, async (req, res, next) => {
      const kiosk = await load(req, next);
      if (!kiosk) return;
      await run(kiosk.id, req);
      res.redirect(303, `/kiosks/${kiosk.id}?done=${action === "unpair" ? "unpaired" : "link"}`);
    });
  }

  router.post("/kiosks/:id/delete", adminOnly, async (req, res, next) => {
    const kiosk = await load(req, next);
    if (!kiosk) return;
    await ctx.kiosks.remove(kiosk.id, req.actor);
    res.redirect(303, "/kiosks?done=deleted");
  });

  router.post("/kiosks/:id/remove/:userId", anyStaff, async (req, res, next) => {
    const kiosk = await load(req, next);
    const userId = idParam(req.params.userId as string);
    if (!kiosk || !userId) return kiosk ? next() : undefined;
    try {
      await ctx.kiosks.removeEntry(kiosk.id, userId, req.actor);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    res.redirect(303, `/kiosks/${kiosk.id}?done=removed`);
  });

  return router;
}

/** The kiosks a "Show on kiosk" control offers, for the people and group pages. */
export function kioskChoices(kiosks: Pick<KiosksService, "list">) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (req.method === "GET" && req.admin)
      res.locals.kioskChoices = (await kiosks.list()).map((k) => ({ id: k.id, name: k.name }));
    next();
  };
}

/** Only a path of this site (never another host) to go back to. */
function safeBack(raw: unknown): string {
  const s = typeof raw === "string" ? raw : "";
  return /^\/(?!\/)[\w\-/?=&%.]*$/.test(s) ? s : "/users";
}

function withNotice(back: string, code: string): string {
  return `${back}${back.includes("?") ? "&" : "?"}done=${code}`;
}
