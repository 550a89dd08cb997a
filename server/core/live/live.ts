import { createHash } from "node:crypto";
import type { Server as HttpServer, IncomingMessage } from "node:http";
import type { createClient } from "redis";
import { type Namespace, Server } from "socket.io";
import type { SessionLookup } from "../auth/principals.js";
import type { Config } from "../config.js";
import { SESSION_COOKIE } from "../http/auth-middleware.js";
import { cookieFrom } from "../http/cookies.js";
import type { Logger } from "../log.js";

/** How often the sessions of connected admin pages are checked again (sign-out, disabled admin, expiry). */
const SESSION_RECHECK_MS = 30_000;

/** A namespace another module adds (the kiosk's `/kiosk`), set up once the server exists. */
export type NamespaceSetup = (io: Server) => void;

/**
 * Live updates over Socket.IO, attached to the HTTP server by startServer.
 *
 * The API other modules use is one call, stable on purpose:
 *
 *   ctx.live.toAdmins(event: string, payload: unknown): void
 *
 * sends `event` with a JSON-serializable `payload` to every signed-in admin and front-desk
 * page that subscribed to it (server/core/http/public/live.js, `InviteStationLive.on(event, fn)`),
 * on every instance when REDIS_URL is set. It is fire-and-forget: before the server is
 * attached (the CLI, jobs-only processes) or while nobody listens, it does nothing. Payloads
 * go to every staff member, so they must not carry secrets (tokens, codes); names are fine,
 * the admin pages show them anyway. Use dotted event names of your module: `print.job`.
 */
export class Live {
  private io: Server | null = null;
  private redis: Array<ReturnType<typeof createClient>> = [];
  private setups: NamespaceSetup[] = [];
  private recheck: NodeJS.Timeout | null = null;

  constructor(
    private config: Config,
    private sessions: SessionLookup,
    private log: Logger,
  ) {}

  /** Registers a namespace to set up at attach time (before attach, or it runs at once). */
  addNamespace(setup: NamespaceSetup): void {
    this.setups.push(setup);
    if (this.io) setup(this.io);
  }

  /** The Socket.IO server, once attached; modules with their own namespace use it. */
  get server(): Server | null {
    return this.io;
  }

  /** True with the Redis adapter: other instances exist to hear server-side messages. */
  get clustered(): boolean {
    return this.redis.length > 0;
  }

  /** Null without REDIS_URL; otherwise whether the adapter's connection answers a PING. */
  async pingRedis(): Promise<null | "ok"> {
    const pub = this.redis[0];
    if (!this.config.redisUrl) return null;
    if (!pub?.isReady) throw new Error("not connected");
    await pub.ping();
    return "ok";
  }

  toAdmins(event: string, payload: unknown): void {
    this.io?.of("/admin").emit(event, payload);
  }

  async attach(http: HttpServer): Promise<void> {
    const io = new Server(http, {
      // Long polling first, then the upgrade: it passes proxies that refuse websockets.
      serveClient: true,
      pingInterval: 10_000,
      pingTimeout: 8_000,
      // A kiosk or admin page asks for nothing big; a smaller buffer caps what a client can make us hold.
      maxHttpBufferSize: 64 * 1024,
      allowRequest: (req, callback) => callback(null, this.originAllowed(req)),
      // Connection-state recovery is off: every client asks for its state on connect instead.
    });
    if (this.config.redisUrl) {
      // Loaded only here: the Redis client is a fifth of an idle single instance's memory.
      const [{ createClient }, { createAdapter }] = await Promise.all([import("redis"), import("@socket.io/redis-adapter")]);
      const pub = createClient({ url: this.config.redisUrl });
      const sub = pub.duplicate();
      for (const c of [pub, sub]) c.on("error", (err: unknown) => this.log.warn({ err }, "redis adapter connection error"));
      await Promise.all([pub.connect(), sub.connect()]);
      this.redis = [pub, sub];
      io.adapter(createAdapter(pub, sub, { key: adapterKey(this.config) }));
    }
    this.setUpAdmin(io.of("/admin"));
    this.io = io;
    this.recheck = setInterval(() => {
      this.dropEndedSessions().catch((err) => this.log.warn({ err }, "could not check the sessions of admin pages"));
    }, SESSION_RECHECK_MS);
    this.recheck.unref();
    for (const setup of this.setups) setup(io);
  }

  /** Closes every client (they reconnect to another instance or after the restart) and the adapter. */
  async close(): Promise<void> {
    const io = this.io;
    this.io = null;
    if (this.recheck) clearInterval(this.recheck);
    this.recheck = null;
    if (io) await io.close();
    await Promise.allSettled(this.redis.map((c) => c.close()));
    this.redis = [];
  }

  /**
   * Disconnects the admin pages on this instance whose session has ended since they
   * connected (signed out, admin disabled, expired): a connection outlives the check at
   * its start, and must not go on hearing what staff hear. Runs every 30 s.
   */
  async dropEndedSessions(): Promise<number> {
    const sockets = [...(this.io?.of("/admin").sockets.values() ?? [])];
    const valid = await this.sessions.stillValid(sockets.map((s) => s.data.sessionHash as string));
    const ended = sockets.filter((s) => !valid.has(s.data.sessionHash as string));
    for (const socket of ended) socket.disconnect(true);
    return ended.length;
  }

  /**
   * Browsers always send Origin on a Socket.IO request; it must be this service (PUBLIC_URL,
   * or the host the request came to), so another site's page cannot ride the cookies. A
   * client without Origin is not a browser page, and still needs a credential in middleware.
   */
  private originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (!origin) return true;
    const allowed = new Set([new URL(this.config.publicUrl).origin]);
    const host = req.headers.host;
    if (host) {
      allowed.add(`http://${host}`);
      allowed.add(`https://${host}`);
    }
    const ok = allowed.has(origin);
    if (!ok) this.log.warn({ origin }, "socket.io connection refused: foreign origin");
    return ok;
  }

  /** `/admin`: signed-in staff only (the admin session cookie), all in one broadcast. */
  private setUpAdmin(nsp: Namespace): void {
    nsp.use(async (socket, next) => {
      const sid = cookieFrom(socket.handshake.headers.cookie, SESSION_COOKIE);
      const session = sid ? await this.sessions.load(sid).catch(() => undefined) : undefined;
      if (!session) return next(new Error("unauthorized"));
      socket.data.sessionHash = session.idHash;
      socket.data.adminId = session.admin.id;
      socket.data.role = session.admin.role;
      next();
    });
  }
}

/**
 * The Redis channel prefix: instances of one installation (one database) share it, and two
 * installations on one Redis never hear each other.
 */
function adapterKey(config: Config): string {
  const db = config.database.client === "mysql" ? config.database.url.replace(/\/\/[^@/]*@/, "//") : config.database.filename;
  return `invite-station:${createHash("sha256").update(db).digest("hex").slice(0, 16)}`;
}
