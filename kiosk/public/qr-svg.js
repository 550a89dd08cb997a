// Draws a QR code into an <svg> as one path of dark modules: crisp at any size, and no
// markup from strings (the CSP allows no inline anything). Shared by the lobby screen and
// the admin's "Show QR code" page.
import { encode } from "/assets/vendor/uqr.mjs";

const NS = "http://www.w3.org/2000/svg";

export function drawQr(svg, text, { border = 2 } = {}) {
  const { size, data } = encode(text, { ecc: "M", border });
  let d = "";
  for (let y = 0; y < size; y++) {
    let run = -1;
    for (let x = 0; x <= size; x++) {
      const dark = x < size && data[y][x];
      if (dark && run < 0) run = x;
      if (!dark && run >= 0) {
        d += `M${run} ${y}h${x - run}v1h${run - x}z`;
        run = -1;
      }
    }
  }
  svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
  svg.setAttribute("shape-rendering", "crispEdges");
  let bg = svg.querySelector("rect");
  let path = svg.querySelector("path");
  if (!bg) {
    bg = document.createElementNS(NS, "rect");
    bg.setAttribute("fill", "#fff");
    svg.appendChild(bg);
  }
  if (!path) {
    path = document.createElementNS(NS, "path");
    path.setAttribute("fill", "#000");
    svg.appendChild(path);
  }
  bg.setAttribute("width", String(size));
  bg.setAttribute("height", String(size));
  path.setAttribute("d", d);
  svg.dataset.text = text;
}
