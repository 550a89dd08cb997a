// The "Show QR code" page: the code rotates like a kiosk's. Each window it asks for the
// current code; when the server cannot be reached the code is hidden rather than left stale.
import { drawQr } from "/kiosk/assets/qr-svg.js";

const box = document.querySelector("[data-rotating-qr]");
if (box) {
  const svg = box.querySelector("[data-qr]");
  const countdown = box.querySelector("[data-qr-countdown]");
  const offline = box.querySelector("[data-qr-offline]");
  let rotatesAt = 0;
  let offset = 0;
  const load = async () => {
    try {
      const res = await fetch(box.dataset.rotatingQr, { headers: { accept: "application/json" } });
      if (res.status === 410) return window.location.reload();
      const c = await res.json();
      offset = c.serverNow - Date.now();
      rotatesAt = c.rotatesAt;
      drawQr(svg, c.url, { border: 4 });
      svg.style.visibility = "visible";
      offline.hidden = true;
      setTimeout(load, Math.max(500, rotatesAt - (Date.now() + offset) + 150));
    } catch {
      // The previous code still works for one window; after that it is hidden.
      if (Date.now() + offset > rotatesAt + 1000) {
        svg.style.visibility = "hidden";
        offline.hidden = false;
      }
      setTimeout(load, 2000);
    }
  };
  setInterval(() => {
    const left = Math.max(0, Math.ceil((rotatesAt - (Date.now() + offset)) / 1000));
    countdown.textContent = rotatesAt ? ` · next in ${left} s` : "";
  }, 250);
  load();
}
