// The simulated lobby screens of bench/kiosk.bench.ts, in a process of their own (a real
// screen never shares the server's event loop). Driven by messages from the parent.
import { io, type Socket } from "socket.io-client";

type Msg =
  | { type: "connect"; url: string; cookies: string[] }
  | { type: "echo"; count: number }
  | { type: "redeem"; count: number }
  | { type: "count" }
  | { type: "close" };

const now = () => performance.timeOrigin + performance.now();
let sockets: Socket[] = [];
let bench: Socket | null = null;
let baseUrl = "";
/** Per screen, the code it shows and a resolver waiting for its welcome. */
const shown = new Map<number, { url: string; userId: number }>();
const welcomeWaiters = new Map<number, (t: number) => void>();

const send = (m: unknown) => process.send?.(m);
let states = 0;

process.on("message", async (m: Msg) => {
  if (m.type === "connect") {
    baseUrl = m.url;
    let ready = 0;
    await new Promise<void>((resolve) => {
      m.cookies.forEach((cookie, i) => {
        const s = io(`${m.url}/kiosk`, { transports: ["websocket"], extraHeaders: { cookie }, forceNew: true });
        s.on("state", (state: { tiles: Array<{ userId: number; url: string | null; welcome: boolean }> }) => {
          states++;
          const tile = state.tiles[0];
          if (tile?.welcome) welcomeWaiters.get(i)?.(now());
          else if (tile?.url) shown.set(i, { url: tile.url, userId: tile.userId });
        });
        s.once("connect", () => {
          if (++ready === m.cookies.length) resolve();
        });
        sockets.push(s);
      });
    });
    bench = io(`${m.url}/bench`, { transports: ["websocket"], forceNew: true });
    await new Promise<void>((r) => bench?.once("connect", () => r()));
    send({ type: "connected" });
  } else if (m.type === "echo") {
    const out: number[] = [];
    for (let i = 0; i < m.count; i++) {
      const t = now();
      await new Promise<void>((r) => bench?.emit("echo", t, () => r()));
      out.push(now() - t);
    }
    send({ type: "echo", latencies: out });
  } else if (m.type === "redeem") {
    // Like a phone: scan a screen's code, redeem it, and the screen says welcome.
    const out: number[] = [];
    const answers: number[] = [];
    const screens = [...shown.keys()].slice(0, m.count);
    for (const i of screens) {
      const code = shown.get(i);
      if (!code) continue;
      const welcomed = new Promise<number>((r) => welcomeWaiters.set(i, r));
      const t = now();
      const res = await fetch(`${baseUrl}/api/v1/invitations/redeem`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token: code.url }),
      });
      if (res.status !== 200) throw new Error(`redeem answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
      answers.push(now() - t);
      out.push((await welcomed) - t);
      welcomeWaiters.delete(i);
    }
    send({ type: "redeem", latencies: out, answers });
  } else if (m.type === "count") {
    send({ type: "count", states });
  } else if (m.type === "close") {
    for (const s of sockets) s.close();
    bench?.close();
    sockets = [];
    process.exit(0);
  }
});
send({ type: "up" });
