import type { Socket } from "socket.io-client";
import { cliActor } from "../../server/core/events.js";
import type { TestApp } from "./app.js";
import { PageClient } from "./browser-client.js";
import { personInput } from "./people.js";
import { connectTo } from "./sockets.js";

// biome-ignore lint/suspicious/noExplicitAny: the screen's JSON state, checked by the assertions
export type ScreenState = any;

/** A kiosk made the way the API makes one, and the screen cookie its enrolment link gives. */
export async function enrolledKiosk(app: TestApp, name = "Lobby", fields: Record<string, unknown> = {}) {
  const { kiosk, enrollUrl } = await app.ctx.kiosks.create({ name, ...fields }, cliActor());
  const screen = new PageClient(app.url);
  const path = new URL(enrollUrl).pathname;
  await screen.get(path);
  const res = await screen.post(path, {});
  if (res.status !== 303) throw new Error(`enrolment failed with ${res.status}`);
  return { kiosk, cookie: screen.cookieHeader() };
}

export async function pendingPerson(app: TestApp, firstName = "Ana", lastName = "Ruiz", language: "en" | "es" = "en") {
  return app.ctx.users.create(personInput({ firstName, lastName, language }), cliActor());
}

/**
 * A screen's socket that remembers the last state it received, so a test can wait for the
 * state it expects (event-driven: no sleeping, no wall-clock assertions).
 */
export class ScreenClient {
  last: ScreenState = null;
  private waiters: Array<{ test: (s: ScreenState) => boolean; resolve: (s: ScreenState) => void }> = [];
  unpaired = false;

  constructor(readonly socket: Socket) {
    socket.on("state", (s: ScreenState) => {
      this.last = s;
      this.waiters = this.waiters.filter((w) => {
        if (!w.test(s)) return true;
        w.resolve(s);
        return false;
      });
    });
    socket.on("unpaired", () => {
      this.unpaired = true;
    });
  }

  static async connect(url: string, cookie: string, opts: { reconnection?: boolean } = {}): Promise<ScreenClient> {
    let client: ScreenClient | undefined;
    await connectTo(url, "/kiosk", { cookie }, { ...opts, before: (socket) => (client = new ScreenClient(socket)) });
    return client as ScreenClient;
  }

  /** The first state (already received, or next) that passes `test`. */
  waitFor(test: (s: ScreenState) => boolean, what = "the expected screen state", within = 15_000): Promise<ScreenState> {
    if (this.last && test(this.last)) return Promise.resolve(this.last);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${what} within ${within} ms; last: ${JSON.stringify(this.last)}`)),
        within,
      );
      this.waiters.push({
        test,
        resolve: (s) => {
          clearTimeout(timer);
          resolve(s);
        },
      });
    });
  }

  close() {
    this.socket.close();
  }
}

export const tileOf = (s: ScreenState, userId: number) =>
  (s?.tiles ?? []).find((t: { userId: number }) => t.userId === userId) as
    | { url: string | null; welcome: boolean; label: string; rotatesAt: number }
    | undefined;
