// The Kiosks pages, live: a screen connecting, disconnecting or changing what it shows
// redraws its status, last seen and "showing now" without a reload.
(() => {
  // Every word comes from the page, in its language (views/kiosks/live-script.ejs).
  const live = window.InviteStationLive;
  const labels = live?.labels(document.currentScript) ?? {};
  if (!live || !document.querySelector("[data-kiosk-status]")) return;
  // The same form as the server's formatDateTime: "1 Dec 2026, 22:15 UTC" ("1 dic 2026, …").
  const DAY = new Intl.DateTimeFormat(labels.locale || "en-GB", {
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  });
  const time = (iso) => {
    if (!iso) return labels.never || "Never";
    const d = new Date(iso);
    return `${DAY.format(d)}, ${d.toISOString().slice(11, 16)} UTC`;
  };
  let pending = null;
  const redraw = async () => {
    const res = await fetch("/kiosks/live.json", { headers: { accept: "application/json" } });
    if (!res.ok) return;
    for (const k of await res.json()) {
      for (const el of document.querySelectorAll(`[data-kiosk-status="${k.id}"]`)) {
        el.classList.toggle("is-online", k.online);
        el.classList.toggle("is-offline", !k.online);
        el.querySelector("[data-status-text]").textContent = k.online
          ? labels.online || "Online"
          : k.paired
            ? labels.offline || "Offline"
            : labels.notPaired || "Not paired";
      }
      for (const el of document.querySelectorAll(`[data-kiosk-seen="${k.id}"]`)) el.textContent = time(k.lastSeenAt);
      for (const el of document.querySelectorAll(`ul[data-kiosk-showing="${k.id}"]`)) {
        const items = k.showing.map((e) => {
          const li = document.createElement("li");
          li.className = `chip${e.shown ? "" : " is-waiting"}`;
          li.textContent = `${e.label}${e.welcome ? ` ${labels.welcome || "· welcome"}` : e.shown ? "" : ` ${labels.waiting || "· waiting"}`}`;
          return li;
        });
        if (!items.length) {
          const li = document.createElement("li");
          li.className = "muted";
          li.textContent = labels.idle || "Idle: clock and welcome text";
          items.push(li);
        }
        el.replaceChildren(...items);
      }
    }
  };
  // Several changes at once (a selection shown) redraw once.
  live.on("kiosk.changed", () => {
    clearTimeout(pending);
    pending = setTimeout(redraw, 150);
  });
})();
