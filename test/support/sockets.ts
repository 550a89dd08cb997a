import { io, type Socket } from "socket.io-client";

/**
 * A socket.io-client connection to a namespace of the running service, as a browser page or
 * kiosk would open one (headers: its cookie and Origin). Resolves on connect; rejects with
 * the server's refusal. No automatic reconnection unless asked.
 */
export function connectTo(
  url: string,
  nsp: string,
  headers: Record<string, string> = {},
  opts: { reconnection?: boolean; before?: (socket: Socket) => void } = {},
): Promise<Socket> {
  const socket = io(`${url}${nsp}`, {
    transports: ["websocket"],
    extraHeaders: headers,
    reconnection: opts.reconnection ?? false,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    forceNew: true,
  });
  // Listeners that must not miss what the server sends right on connect.
  opts.before?.(socket);
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (err) => {
      if (opts.reconnection) return;
      socket.close();
      reject(err);
    });
  });
}

/** The next `event` on the socket (with a guard so a missing event fails the test, not hangs it). */
export function nextEvent<T = unknown>(socket: Socket, event: string, within = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${event}" event within ${within} ms`)), within);
    socket.once(event, (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    });
  });
}
