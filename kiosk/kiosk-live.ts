import type { Namespace, Server, Socket } from "socket.io";
import type { DomainEvent, EventBus } from "../server/core/events.js";
import { cookieFrom } from "../server/core/http/cookies.js";
import type { Live } from "../server/core/live/live.js";
import type { Logger } from "../server/core/log.js";
import type { SettingsService } from "../server/settings/index.js";
import type { KiosksService } from "./kiosks.service.js";
import type { ScreenState } from "./kiosks.types.js";

export const DEVICE_COOKIE = "ikiosk";
export const PAIRING_COOKIE = "ikpair";
const SEEN_EVERY_MS = 30_000;
/** The longest a timer waits, so that a clock jump or a lost message heals by itself. */
const MAX_SLEEP_MS = 60_000;

/** What a screen receives: names as shown, codes as URLs, nothing else personal. */
export type ScreenPayload = {
  kiosk: { name: string; language: string; idleMessage: string | null; rotateSeconds: number };
  organization: { name: string; logoUrl: string | null };
  app: { name: string; appStoreUrl: string; playStoreUrl: string };
  tiles: Array<{
    userId: number;
    label: string;
    firstName: string;
    language: string;
    url: string | null;
    rotatesAt: number | null;
    expiresAt: number | null;
    welcome: boolean;
  }>;
  waiting: number;
  serverNow: number;
};

type Local = { state: ScreenState; timer: NodeJS.Timeout | null };

/**
 * The `/kiosk` namespace. A paired screen (device credential cookie) is in the room
 * `kiosk:<id>` and receives its own state only; an unpaired screen waiting with a pairing
 * code (pairing cookie) is in `pairing:<id>` and only ever hears "paired". The instance a
 * screen is connected to sends it everything (its state, each rotation): changes made on
 * another instance arrive as a server-side message through the adapter.
 */
export class KioskLive {
  private nsp: Namespace | null = null;
  private locals = new Map<number, Local>();
  /** Per kiosk, the work in progress: refreshes and rotations run one after the other. */
  private queues = new Map<number, Promise<void>>();
  private seenTimer: NodeJS.Timeout | null = null;

  constructor(
    private kiosks: KiosksService,
    private settings: Pick<SettingsService, "get">,
    private live: Live,
    private log: Logger,
    private logoUrl: () => Promise<string | null> = async () => null,
  ) {}

  /** Hooks the namespace into the Socket.IO server (at attach) and the bus (now). */
  register(events: EventBus): void {
    this.live.addNamespace((io) => this.setUp(io));
    const changed = (e: DomainEvent) => this.changed(Number(e.kioskId));
    events.on("kiosk.display", changed);
    events.on("kiosk.entry.removed", changed);
    events.on("kiosk.updated", changed);
    events.on("kiosk.unpaired", (e) => this.kick(Number(e.kioskId)));
    events.on("kiosk.deleted", (e) => this.kick(Number(e.kioskId)));
    events.on("kiosk.paired", (e) => {
      // A screen paired before with this kiosk has a credential that no longer works.
      this.kick(Number(e.kioskId));
      if (e.pairingId) this.nsp?.to(`pairing:${e.pairingId}`).emit("paired");
    });
    events.on("user.joined", async (e) => {
      for (const id of await this.kiosks.welcome(Number(e.userId))) this.changed(id);
    });
    const refreshPerson = async (e: DomainEvent) => {
      for (const id of await this.kiosks.kiosksShowing(Number(e.userId))) this.changed(id);
    };
    for (const name of ["invitation.regenerated", "invitation.revoked", "user.deactivated", "user.updated", "user.erased"]) {
      events.on(name, refreshPerson);
    }
    // The organization's name, app links or logo changed: every screen here shows them.
    for (const name of ["settings.updated", "branding.logo.updated", "branding.logo.removed"]) {
      events.on(name, () => {
        for (const id of this.locals.keys()) this.refresh(id);
      });
    }
  }

  /** Which kiosks have a screen connected, on any instance. */
  async online(): Promise<Set<number>> {
    if (!this.nsp) return new Set();
    const sockets = await this.nsp.fetchSockets().catch(() => []);
    return new Set(sockets.map((s) => s.data.kioskId).filter((id): id is number => typeof id === "number"));
  }

  /** Something about the kiosk's screen changed: the instance holding it sends the new state. */
  changed(id: number): void {
    this.toOtherInstances("kiosk:changed", id);
    if (this.locals.has(id)) this.refresh(id);
    this.live.toAdmins("kiosk.changed", { id });
  }

  private kick(id: number): void {
    this.toOtherInstances("kiosk:kick", id);
    this.kickLocal(id);
    this.live.toAdmins("kiosk.changed", { id });
  }

  private toOtherInstances(message: string, id: number): void {
    if (this.live.clustered) this.nsp?.serverSideEmit(message, id);
  }

  private kickLocal(id: number): void {
    const nsp = this.nsp;
    if (!nsp) return;
    // The page reloads and lands on the pairing view: its credential no longer works.
    nsp.local.to(`kiosk:${id}`).emit("unpaired");
    nsp.local.in(`kiosk:${id}`).disconnectSockets(true);
    this.forget(id);
  }

  private setUp(io: Server): void {
    const nsp = io.of("/kiosk");
    this.nsp = nsp;
    nsp.use(async (socket, next) => {
      try {
        const cookies = socket.handshake.headers.cookie;
        const credential = cookieFrom(cookies, DEVICE_COOKIE);
        const kiosk = credential ? await this.kiosks.authenticate(credential) : undefined;
        if (kiosk) {
          socket.data.kioskId = kiosk.id;
          return next();
        }
        const secret = cookieFrom(cookies, PAIRING_COOKIE);
        const pairing = secret ? await this.kiosks.pairing(secret) : null;
        if (pairing) {
          socket.data.pairingId = pairing.id;
          return next();
        }
        next(new Error("unauthorized"));
      } catch (err) {
        this.log.warn({ err }, "kiosk connection check failed");
        next(new Error("unavailable"));
      }
    });
    nsp.on("connection", (socket) => this.connected(socket));
    nsp.on("kiosk:changed", (id: number) => {
      if (this.locals.has(id)) this.refresh(id);
    });
    nsp.on("kiosk:kick", (id: number) => this.kickLocal(id));
    this.seenTimer = setInterval(() => {
      const ids = [...this.locals.keys()];
      if (ids.length) this.kiosks.touch(ids).catch((err) => this.log.warn({ err }, "kiosk last-seen update failed"));
    }, SEEN_EVERY_MS);
    this.seenTimer.unref();
    io.engine.on("close", () => this.stop());
  }

  private connected(socket: Socket): void {
    if (typeof socket.data.pairingId === "number") {
      socket.join(`pairing:${socket.data.pairingId}`);
      return;
    }
    const id = socket.data.kioskId as number;
    socket.join(`kiosk:${id}`);
    this.kiosks.touch([id]).catch(() => {});
    // A screen asks again after a reconnection or when its clock says a code is due.
    socket.on("state?", () => this.refresh(id));
    socket.on("disconnect", () => {
      this.kiosks.touch([id]).catch(() => {});
      if (!this.nsp?.adapter.rooms.get(`kiosk:${id}`)?.size) this.forget(id);
      this.live.toAdmins("kiosk.changed", { id });
    });
    this.refresh(id);
    this.live.toAdmins("kiosk.changed", { id });
  }

  /** Loads the kiosk's state from the database and sends it to its screens here. */
  private refresh(id: number): void {
    this.enqueue(id, async () => {
      const state = await this.kiosks.screen(id);
      if (!state?.kiosk.paired) return this.kickLocal(id);
      if (!this.nsp?.adapter.rooms.get(`kiosk:${id}`)?.size) return this.forget(id);
      const local = this.locals.get(id) ?? { state, timer: null };
      local.state = state;
      this.locals.set(id, local);
      await this.send(id, local);
    });
  }

  private enqueue(id: number, work: () => Promise<void>): void {
    const next = (this.queues.get(id) ?? Promise.resolve())
      .then(work)
      .catch((err) => this.log.warn({ err, kioskId: id }, "kiosk update failed"))
      .finally(() => {
        if (this.queues.get(id) === next) this.queues.delete(id);
      });
    this.queues.set(id, next);
  }

  /** Sends the state with this window's codes, and sleeps until the next rotation or change. */
  private async send(id: number, local: Local): Promise<void> {
    const now = Date.now();
    const payload = await this.payload(local.state, now);
    this.nsp?.local.to(`kiosk:${id}`).emit("state", payload);
    if (local.timer) clearTimeout(local.timer);
    const rotation = payload.tiles.map((t) => t.rotatesAt).filter((t): t is number => t !== null);
    local.timer = null;
    // An idle screen needs nothing until something changes (which arrives as an event).
    if (!rotation.length && local.state.nextChangeAt === null) return;
    const next = Math.min(now + MAX_SLEEP_MS, ...rotation, local.state.nextChangeAt ?? Number.POSITIVE_INFINITY);
    local.timer = setTimeout(() => this.wake(id), Math.max(0, next - Date.now()));
    local.timer.unref();
  }

  /** A rotation only needs new codes (no database); a time-up needs the state reloaded. */
  private wake(id: number): void {
    const local = this.locals.get(id);
    if (!local) return;
    const due = local.state.nextChangeAt;
    if (due !== null && due <= Date.now()) {
      this.refresh(id);
      return;
    }
    this.enqueue(id, async () => {
      if (this.locals.get(id) === local) await this.send(id, local);
    });
  }

  private async payload(state: ScreenState, now: number): Promise<ScreenPayload> {
    const settings = await this.settings.get();
    const period = state.kiosk.rotateSeconds;
    return {
      kiosk: {
        name: state.kiosk.name,
        language: state.kiosk.language,
        idleMessage: state.kiosk.idleMessage,
        rotateSeconds: period,
      },
      organization: { name: settings.organizationName, logoUrl: await this.logoUrl() },
      app: { name: settings.appName, appStoreUrl: settings.appStoreUrl, playStoreUrl: settings.playStoreUrl },
      tiles: state.tiles.map((t) => {
        const code = t.source && t.welcomeUntil === null ? t.source.code(period, now) : null;
        return {
          userId: t.userId,
          label: t.label,
          firstName: t.firstName,
          language: t.language,
          url: code?.url ?? null,
          rotatesAt: code?.rotatesAt ?? null,
          expiresAt: t.expiresAt,
          welcome: t.welcomeUntil !== null,
        };
      }),
      waiting: state.waiting,
      serverNow: now,
    };
  }

  private forget(id: number): void {
    const local = this.locals.get(id);
    if (local?.timer) clearTimeout(local.timer);
    this.locals.delete(id);
  }

  private stop(): void {
    for (const id of [...this.locals.keys()]) this.forget(id);
    if (this.seenTimer) clearInterval(this.seenTimer);
    this.seenTimer = null;
  }
}
