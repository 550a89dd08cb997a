// Live updates on the admin pages, over Socket.IO's /admin namespace (the session cookie
// signs the connection in). The API, kept small and stable for every module:
//
//   const stop = window.InviteStationLive.on("print.job", (payload) => { … });
//   window.InviteStationLive.onStatus((connected) => { … });   // optional
//   const labels = window.InviteStationLive.labels(document.currentScript);   // the page's words
//
// The connection opens on the first `on`, so pages that subscribe to nothing open none.
// Load order (both deferred, after this file's dependency): /socket.io/socket.io.js,
// /assets/live.js, then the page's own script. The server side is ctx.live.toAdmins.
(() => {
  let socket = null;
  const statusListeners = new Set();
  const connect = () => {
    if (socket || typeof window.io !== "function") return socket;
    socket = window.io("/admin", { withCredentials: true });
    socket.on("connect", () => {
      for (const fn of statusListeners) fn(true);
    });
    socket.on("disconnect", () => {
      for (const fn of statusListeners) fn(false);
    });
    return socket;
  };
  window.InviteStationLive = {
    on(event, handler) {
      const s = connect();
      if (!s) return () => {};
      s.on(event, handler);
      return () => s.off(event, handler);
    },
    onStatus(fn) {
      statusListeners.add(fn);
      const s = connect();
      if (s) fn(s.connected);
      return () => statusListeners.delete(fn);
    },
    // A page script's words, in the page's language, from its data-labels attribute (JSON).
    labels(script) {
      try {
        return JSON.parse(script?.dataset.labels || "{}");
      } catch {
        return {};
      }
    },
  };
})();
