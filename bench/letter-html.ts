import QRCode from "qrcode";
import { fontBytes } from "../print/letter/fonts.js";

/**
 * The same letter as HTML and CSS, for the Chromium baseline of the letters benchmark:
 * the same words, layout, fonts (Noto Sans, embedded as data: URLs) and vector QR codes
 * (SVG), so that Chromium's page.pdf does the work pdfkit does.
 */
export type HtmlLetter = { fullName: string; url: string; code: string; expires: string };

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] as string);

export async function letterHtml(letters: HtmlLetter[], org: string, app: string, stores: string[]): Promise<string> {
  const font = (weight: "regular" | "bold") => `data:font/ttf;base64,${fontBytes("latin", weight).toString("base64")}`;
  const svg = (text: string) => QRCode.toString(text, { type: "svg", errorCorrectionLevel: "M", margin: 4 });
  const storeSvgs = await Promise.all(stores.map(svg));
  const pages = await Promise.all(
    letters.map(
      async (l) => `<section class="page">
  <header><span class="mono">${esc(org[0] ?? "")}</span><b>${esc(org)}</b><small>${esc(l.expires)}</small></header>
  <p class="eyebrow">INVITATION · ${esc(org.toUpperCase())}</p>
  <h1>Welcome, ${esc(l.fullName)}</h1>
  <p class="intro">${esc(org)} uses ${esc(app)} to keep everyone informed. Your colleagues are already there — join them to read company news and your team's messages on your phone.</p>
  <div class="why"><div><b>News first</b><span>Announcements and changes reach you as they happen.</span></div><div><b>Your team</b><span>Messages from your groups, wherever you work.</span></div><div><b>On your phone</b><span>No computer or email address needed.</span></div></div>
  <div class="main">
    <ol><h2>Join in three steps</h2>
      <li><b>Install ${esc(app)}</b><span>It's free. Scan a code below with your phone, or search for “${esc(app)}” in your app store.</span><div class="stores">${storeSvgs.map((s) => `<figure>${s}<figcaption>App store</figcaption></figure>`).join("")}</div></li>
      <li><b>Scan your personal code</b><span>Open your phone's camera, point it at the large code on this letter and tap the link that appears.</span></li>
      <li><b>You're in</b><span>Sign in to ${esc(app)}: your team's messages are waiting for you.</span></li>
    </ol>
    <aside><div class="qr">${await svg(l.url)}</div><b>Your personal code</b><small>No camera? Enter this code in ${esc(app)}:</small><div class="code">${esc(l.code)}</div><small>Valid until ${esc(l.expires)}</small></aside>
  </div>
  <div class="notice"><b>Personal and non-transferable — do not share.</b><span>This code joins you, and only you. Keep this letter to yourself; if you lose it, ask the front desk for a new one.</span></div>
  <footer><b>Questions?</b> Ask the front desk: Reception, ext. 100<span>${esc(org)}</span></footer>
</section>`,
    ),
  );
  return `<!doctype html><html><head><meta charset="utf-8"><style>
@font-face { font-family: Noto; src: url(${font("regular")}); font-weight: 400; }
@font-face { font-family: Noto; src: url(${font("bold")}); font-weight: 700; }
@page { size: A4; margin: 0; }
body { margin: 0; font-family: Noto; color: #3d4756; }
.page { width: 210mm; height: 297mm; box-sizing: border-box; padding: 15mm 19mm; page-break-after: always; position: relative; }
header { display: flex; align-items: center; gap: 12px; border-bottom: 1px solid #d5dae1; padding-bottom: 14px; }
header b { font-size: 15pt; color: #17202e; flex: 1; } header small { font-size: 8.5pt; color: #6b7585; }
.mono { width: 30pt; height: 30pt; border-radius: 7pt; background: #1f4fa3; color: #fff; font-weight: 700; display: grid; place-items: center; font-size: 16pt; }
.eyebrow { color: #1f4fa3; font-weight: 700; font-size: 8pt; letter-spacing: .5pt; margin-top: 20pt; }
h1 { font-size: 26pt; color: #17202e; margin: 4pt 0; } .intro { font-size: 10.5pt; line-height: 1.45; width: 92%; }
.why { display: flex; gap: 18pt; } .why div { flex: 1; border-top: 2.5pt solid #1f4fa3; padding-top: 8pt; width: 22pt; }
.why b { display: block; font-size: 9.5pt; color: #17202e; } .why span { font-size: 8.5pt; color: #6b7585; }
.main { display: flex; gap: 28pt; margin-top: 26pt; } ol { flex: 1; padding: 0; list-style: none; counter-reset: s; margin: 0; }
h2 { font-size: 13pt; color: #17202e; } li { counter-increment: s; padding-left: 34pt; position: relative; margin-bottom: 20pt; }
li::before { content: counter(s); position: absolute; left: 0; width: 22pt; height: 22pt; border-radius: 50%; background: #1f4fa3; color: #fff; text-align: center; line-height: 22pt; font-weight: 700; }
li b { display: block; font-size: 11.5pt; color: #17202e; } li span { font-size: 9.5pt; }
.stores { display: flex; gap: 30pt; margin-top: 10pt; } .stores svg { width: 19mm; height: 19mm; border: .75pt solid #d5dae1; border-radius: 4pt; }
figure { margin: 0; text-align: center; font-size: 7.5pt; color: #6b7585; }
aside { width: 200pt; background: #f1f4f9; border-radius: 10pt; padding: 12pt; text-align: center; box-sizing: border-box; }
.qr { background: #fff; border-radius: 6pt; } .qr svg { width: 100%; display: block; }
aside b { display: block; margin-top: 12pt; color: #17202e; font-size: 10.5pt; } aside small { display: block; font-size: 8.5pt; color: #6b7585; }
.code { background: #fff; border: .9pt solid #d5dae1; border-radius: 6pt; margin: 6pt 14pt; padding: 6pt; font-size: 17pt; font-weight: 700; color: #17202e; }
.notice { background: #fdf6ec; border-left: 3.5pt solid #b45309; border-radius: 8pt; padding: 14pt 16pt 14pt 46pt; margin-top: 22pt; }
.notice b { display: block; color: #17202e; font-size: 10.5pt; } .notice span { font-size: 9pt; }
footer { position: absolute; bottom: 15mm; left: 19mm; right: 19mm; border-top: .75pt solid #d5dae1; padding-top: 12pt; font-size: 9pt; }
footer span { float: right; font-size: 8pt; color: #6b7585; }
</style></head><body>${pages.join("\n")}</body></html>`;
}
