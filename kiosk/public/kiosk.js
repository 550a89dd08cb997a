// The lobby screen. Paired: it connects to /kiosk (the device cookie signs it in) and draws
// whatever state the server sends: idle, or up to four people with their rotating codes.
// Unpaired: it shows its pairing code and reloads once an admin has typed it.
import { drawQr } from "/kiosk/assets/qr-svg.js";

const body = document.body;
const mode = body.dataset.mode;
const $ = (sel, root = document) => root.querySelector(sel);

const socket = window.io("/kiosk", { withCredentials: true, reconnectionDelay: 500, reconnectionDelayMax: 3000 });

// The server said this screen is no longer paired (or never was): the page decides again.
socket.on("unpaired", () => window.location.reload());
socket.on("paired", () => window.location.reload());
socket.on("connect_error", (err) => {
  if (err.message === "unauthorized") setTimeout(() => window.location.reload(), 3000);
});

if (mode === "pairing") {
  const expiresAt = Number(body.dataset.expiresAt);
  setTimeout(() => window.location.reload(), Math.max(1000, expiresAt - Date.now() + 500));
} else {
  display();
}

function display() {
  // The kiosk's own language throughout (tiles too); the server renders the words.
  const t = JSON.parse(body.dataset.strings);
  const locale = t.locale;
  const plural = new Intl.PluralRules(locale);
  const fill = (text, values) => text.replace(/\{(app|name)\}/g, (_, k) => values[k] ?? "");
  let state = null;
  let offset = 0; // server clock minus ours
  let connected = false;
  let lostAt = null;
  const now = () => Date.now() + offset;

  socket.on("connect", () => {
    connected = true;
    lostAt = null;
    render();
  });
  socket.on("disconnect", () => {
    connected = false;
    lostAt = now();
    render();
  });
  socket.on("state", (s) => {
    offset = s.serverNow - Date.now();
    state = s;
    render();
  });

  function render() {
    const offline = $("[data-offline]");
    offline.hidden = connected;
    offline.textContent = t.offline;
    if (!state) return;
    const org = $("[data-org]");
    org.textContent = state.organization.name;
    const logo = $("[data-logo]");
    if (state.organization.logoUrl) {
      if (logo.getAttribute("src") !== state.organization.logoUrl) logo.src = state.organization.logoUrl;
      logo.hidden = false;
    } else logo.hidden = true;

    const visible = state.tiles.filter((tile) => tile.welcome || !tile.expiresAt || tile.expiresAt > now());
    $("[data-idle]").hidden = visible.length > 0;
    $("[data-tiles]").hidden = visible.length === 0;
    body.dataset.count = String(visible.length);
    if (visible.length === 0) renderIdle();
    else renderTiles(visible);
    const waiting = $("[data-waiting]");
    const many = t.waiting[plural.select(state.waiting)] ?? t.waiting.other;
    waiting.textContent = state.waiting ? many.replace("{n}", state.waiting.toLocaleString(locale)) : "";
  }

  function renderIdle() {
    const app = { app: state.app.name };
    $("[data-idle-title]").textContent = t.idleTitle;
    $("[data-idle-body]").textContent = state.kiosk.idleMessage || fill(t.idleBody, app);
    const stores = [
      ["App Store", state.app.appStoreUrl],
      ["Google Play", state.app.playStoreUrl],
    ].filter(([, url]) => url);
    $("[data-stores]").hidden = stores.length === 0;
    $("[data-stores-title]").textContent = fill(t.getTheApp, app);
    const list = $("[data-store-list]");
    const key = stores.map(([, u]) => u).join(" ");
    if (list.dataset.key !== key) {
      list.replaceChildren();
      for (const [label, url] of stores) {
        const fig = document.createElement("figure");
        fig.className = "k-store";
        const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
        svg.setAttribute("class", "k-store-qr");
        svg.setAttribute("aria-hidden", "true");
        drawQr(svg, url, { border: 2 });
        const cap = document.createElement("figcaption");
        cap.textContent = label;
        fig.append(svg, cap);
        list.append(fig);
      }
      list.dataset.key = key;
    }
  }

  function renderTiles(tiles) {
    const box = $("[data-tiles]");
    const keep = new Map([...box.children].map((el) => [el.dataset.key, el]));
    const els = tiles.map((tile) => {
      const key = `${tile.userId}:${tile.welcome ? "w" : "q"}`;
      const el = keep.get(key) ?? build(tile);
      el.dataset.key = key;
      fillTile(el, tile);
      return el;
    });
    box.replaceChildren(...els);
  }

  function build(tile) {
    const tpl = document.getElementById(tile.welcome ? "k-welcome" : "k-tile");
    return tpl.content.firstElementChild.cloneNode(true);
  }

  function fillTile(el, tile) {
    const values = { app: state.app.name, name: tile.firstName };
    if (tile.welcome) {
      $("[data-welcome]", el).textContent = fill(t.welcome, values);
      $("[data-welcome-hint]", el).textContent = fill(t.welcomeHint, values);
      return;
    }
    $("[data-scan]", el).textContent = fill(t.scan, values);
    $("[data-name]", el).textContent = tile.label;
    $("[data-countdown-label]", el).textContent = t.nextCodeIn;
    const svg = $("[data-qr]", el);
    svg.setAttribute("aria-label", `${fill(t.scanHint, values)}: ${tile.label}`);
    // A code the server no longer accepts is never left on screen: offline for longer than
    // a window, the code hides and the tile says the screen is reconnecting.
    const stale = !connected && tile.rotatesAt && now() > tile.rotatesAt;
    const paused = $("[data-paused]", el);
    paused.hidden = !stale;
    paused.textContent = stale ? t.offline : "";
    svg.style.visibility = stale ? "hidden" : "visible";
    if (tile.url && svg.dataset.text !== tile.url) drawQr(svg, tile.url);
    el.dataset.rotatesAt = String(tile.rotatesAt ?? "");
    if (tile.rotatesAt) $("[data-countdown]", el).textContent = `${Math.max(0, Math.ceil((tile.rotatesAt - now()) / 1000))} s`;
  }

  // Once a second: clocks, countdowns, and asking for the state if a rotation is overdue.
  let asked = 0;
  function tick() {
    const d = new Date(now());
    const time = d.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit", hour12: false });
    $("[data-clock]").textContent = time;
    $("[data-clock-small]").textContent = time;
    $("[data-date]").textContent = d.toLocaleDateString(locale, { weekday: "long", day: "numeric", month: "long" });
    if (state) {
      const period = state.kiosk.rotateSeconds * 1000;
      let overdue = false;
      for (const el of document.querySelectorAll(".k-tile[data-rotates-at]")) {
        const at = Number(el.dataset.rotatesAt);
        if (!at) continue;
        const left = Math.max(0, at - now());
        el.querySelector("[data-countdown]").textContent = `${Math.ceil(left / 1000)} s`;
        el.querySelector("[data-bar]").style.transform = `scaleX(${Math.min(1, left / period)})`;
        if (left === 0 && now() - at > 1500) overdue = true;
      }
      const expired = state.tiles.some((tile) => !tile.welcome && tile.expiresAt && tile.expiresAt <= now());
      if ((overdue || expired) && connected && Date.now() - asked > 3000) {
        asked = Date.now();
        socket.emit("state?");
      }
      if (expired || (!connected && lostAt)) render();
    }
  }
  tick();
  setInterval(tick, 1000);
}
