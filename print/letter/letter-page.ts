import { formatLetterDate, type LetterStrings, letterStrings } from "./letter-i18n.js";
import { ACCENT, BODY, INK, MUTED, RULE, TINT, WARN, WARN_TINT } from "./palette.js";
import { MM } from "./paper.js";
import { drawQr, type QrMatrix, QUIET_ZONE } from "./qr-vector.js";
import { type Doc, fitSize, heightOf, widthOf, write } from "./typeset.js";

/** What is personal on one letter. */
export type LetterPerson = {
  id: number;
  fullName: string;
  language: string;
  department: string | null;
  site: string | null;
  code: string;
  qr: QrMatrix;
  expiresAt: Date | null;
};

/** What every letter of a document shares: the organization, its app and its logo. */
export type LetterShared = {
  organizationName: string;
  appName: string;
  frontDeskContact: string;
  /** pdfkit's opened image, embedded once per document and placed on every page. */
  logo: { image: unknown; width: number; height: number } | null;
  appStoreQr: QrMatrix | null;
  playStoreQr: QrMatrix | null;
  printedAt: Date;
};

const MARGIN = 54;
/** The personal code's symbol (without its quiet zone): comfortably above the 45 mm asked. */
const QR_SYMBOL = 50 * MM;
const STORE_QR = 19 * MM;

/** One invitation letter, on the document's current (fresh) page. */
export function drawLetter(doc: Doc, person: LetterPerson, shared: LetterShared): void {
  const t = letterStrings(person.language);
  const W = doc.page.width;
  const H = doc.page.height;
  const contentW = W - 2 * MARGIN;

  drawHeader(doc, t, person, shared, W);

  // Greeting and why.
  write(doc, t.eyebrow(shared.organizationName).toUpperCase(), MARGIN, 108, {
    size: 8,
    weight: "bold",
    color: ACCENT,
    characterSpacing: 0.5,
    width: contentW,
  });
  const welcome = t.welcome(person.fullName);
  const size = fitSize(doc, welcome, contentW, 26, 17, "bold");
  write(doc, welcome, MARGIN, doc.y + 6, { size, weight: "bold", color: INK, width: contentW });
  write(doc, t.intro(shared.organizationName, shared.appName), MARGIN, doc.y + 8, {
    size: 10.5,
    color: BODY,
    width: contentW * 0.92,
    lineGap: 3,
  });
  const whyBottom = drawWhy(doc, t, MARGIN, doc.y + 18, contentW);

  // Steps on the left, the personal code on the right.
  const top = whyBottom + 26;
  const cardW = Math.min(210, QR_SYMBOL * ((person.qr.size + 2 * QUIET_ZONE) / person.qr.size) + 24);
  const cardX = W - MARGIN - cardW;
  const cardBottom = drawCodeCard(doc, t, person, shared, cardX, top, cardW);
  const stepsBottom = drawSteps(doc, t, shared, MARGIN, top, cardX - MARGIN - 28);

  drawNotice(doc, t, MARGIN, Math.max(cardBottom, stepsBottom) + 22, contentW);
  drawFooter(doc, t, shared, H, W);
}

function drawHeader(doc: Doc, t: LetterStrings, person: LetterPerson, shared: LetterShared, W: number) {
  const top = 42;
  let nameX = MARGIN;
  if (shared.logo) {
    const boxW = 130;
    const boxH = 34;
    const scale = Math.min(boxW / shared.logo.width, boxH / shared.logo.height);
    const w = shared.logo.width * scale;
    const h = shared.logo.height * scale;
    doc.image(shared.logo.image as string, MARGIN, top + (boxH - h) / 2, { width: w, height: h });
    nameX = MARGIN + w + 12;
  } else {
    // A monogram stands in for a logo: the organization's initial in a rounded square.
    const initial = [...shared.organizationName.trim()][0]?.toUpperCase() ?? "·";
    doc.roundedRect(MARGIN, top + 2, 30, 30, 7).fill(ACCENT);
    const iw = widthOf(doc, initial, { size: 16, weight: "bold" });
    write(doc, initial, MARGIN + (30 - iw) / 2, top + 7, { size: 16, weight: "bold", color: "#ffffff" });
    nameX = MARGIN + 42;
  }
  const nameW = W - MARGIN - nameX - 170;
  const nameSize = fitSize(doc, shared.organizationName, nameW, 15, 10, "bold");
  write(doc, shared.organizationName, nameX, top + 17 - nameSize * 0.68, {
    size: nameSize,
    weight: "bold",
    color: INK,
    width: nameW,
  });

  const right = { size: 8.5, color: MUTED, width: 170, align: "right" as const };
  write(doc, formatLetterDate(t, shared.printedAt), W - MARGIN - 170, top + 6, right);
  const ref = [`#${person.id}`, person.department, person.site].filter(Boolean).join(" · ");
  write(doc, ref, W - MARGIN - 170, doc.y + 2, right);

  doc
    .moveTo(MARGIN, 88)
    .lineTo(W - MARGIN, 88)
    .lineWidth(0.75)
    .strokeColor(RULE)
    .stroke();
}

function drawWhy(doc: Doc, t: LetterStrings, x: number, y: number, width: number): number {
  const gap = 18;
  const colW = (width - gap * (t.why.length - 1)) / t.why.length;
  let bottom = y;
  t.why.forEach(([title, body], i) => {
    const cx = x + i * (colW + gap);
    doc.rect(cx, y, 22, 2.5).fill(ACCENT);
    write(doc, title, cx, y + 9, { size: 9.5, weight: "bold", color: INK, width: colW });
    write(doc, body, cx, doc.y + 2, { size: 8.5, color: MUTED, width: colW, lineGap: 1.5 });
    bottom = Math.max(bottom, doc.y);
  });
  return bottom;
}

function drawCodeCard(
  doc: Doc,
  t: LetterStrings,
  person: LetterPerson,
  shared: LetterShared,
  x: number,
  y: number,
  w: number,
): number {
  const pad = 12;
  const qrSize = w - 2 * pad;
  const inner = w - 2 * pad;
  const cx = x + pad;
  // Measure first, so the tinted card can be drawn under its content.
  const typeLine = t.typeCode(shared.appName);
  const typeH = heightOf(doc, typeLine, { size: 8.5, width: inner });
  const height = pad + qrSize + 12 + 14 + 4 + typeH + 6 + 34 + 8 + 12 + pad;
  doc.roundedRect(x, y, w, height, 10).fill(TINT);
  doc.roundedRect(cx, y + pad, qrSize, qrSize, 6).fill("#ffffff");
  drawQr(doc, person.qr, cx, y + pad, qrSize, INK);

  let cy = y + pad + qrSize + 12;
  write(doc, t.qrCaption, cx, cy, { size: 10.5, weight: "bold", color: INK, width: inner, align: "center" });
  cy += 18;
  write(doc, typeLine, cx, cy, { size: 8.5, color: MUTED, width: inner, align: "center" });
  cy += typeH + 6;
  doc
    .roundedRect(cx + 14, cy, inner - 28, 34, 6)
    .lineWidth(0.9)
    .fillAndStroke("#ffffff", RULE);
  write(doc, person.code, cx + 14, cy + 7, {
    size: 17,
    weight: "bold",
    color: INK,
    width: inner - 28,
    align: "center",
  });
  cy += 34 + 8;
  const valid = person.expiresAt ? t.validUntil(formatLetterDate(t, person.expiresAt)) : t.noExpiry;
  write(doc, valid, cx, cy, { size: 8.5, color: MUTED, width: inner, align: "center" });
  return y + height;
}

function drawSteps(doc: Doc, t: LetterStrings, shared: LetterShared, x: number, y: number, width: number): number {
  write(doc, t.stepsTitle, x, y, { size: 13, weight: "bold", color: INK, width });
  let cy = doc.y + 14;
  const textX = x + 34;
  const textW = width - 34;
  const stores = [
    { qr: shared.appStoreQr, label: t.appStore },
    { qr: shared.playStoreQr, label: t.playStore },
  ].filter((s): s is { qr: QrMatrix; label: string } => s.qr !== null);
  const steps = [
    {
      title: t.installTitle(shared.appName),
      body: stores.length ? t.installBody(shared.appName) : t.installNoStores(shared.appName),
    },
    { title: t.scanTitle, body: t.scanBody },
    { title: t.doneTitle, body: t.doneBody(shared.appName) },
  ];
  steps.forEach((step, i) => {
    doc.circle(x + 11, cy + 9, 11).fill(ACCENT);
    const n = String(i + 1);
    write(doc, n, x + 11 - widthOf(doc, n, { size: 11, weight: "bold" }) / 2, cy + 2.5, {
      size: 11,
      weight: "bold",
      color: "#ffffff",
    });
    write(doc, step.title, textX, cy + 1, { size: 11.5, weight: "bold", color: INK, width: textW });
    write(doc, step.body, textX, doc.y + 3, { size: 9.5, color: BODY, width: textW, lineGap: 2 });
    cy = doc.y;
    if (i === 0 && stores.length) cy = drawStoreCodes(doc, stores, textX, cy + 10);
    cy += 20;
  });
  return cy - 20;
}

function drawStoreCodes(doc: Doc, stores: Array<{ qr: QrMatrix; label: string }>, x: number, y: number): number {
  const cell = STORE_QR + 30;
  stores.forEach((store, i) => {
    const sx = x + i * cell;
    doc.roundedRect(sx, y, STORE_QR, STORE_QR, 4).lineWidth(0.75).fillAndStroke("#ffffff", RULE);
    drawQr(doc, store.qr, sx, y, STORE_QR, INK);
    write(doc, store.label, sx - 8, y + STORE_QR + 5, { size: 7.5, color: MUTED, width: STORE_QR + 16, align: "center" });
  });
  return doc.y;
}

function drawNotice(doc: Doc, t: LetterStrings, x: number, y: number, width: number) {
  const textX = x + 46;
  const textW = width - 46 - 16;
  const bodyH = heightOf(doc, t.personalBody, { size: 9, width: textW, lineGap: 1.5 });
  const height = 14 + 14 + 3 + bodyH + 14;
  doc.roundedRect(x, y, width, height, 8).fill(WARN_TINT);
  doc.rect(x, y, 3.5, height).fill(WARN);
  drawLock(doc, x + 18, y + height / 2 - 10, WARN);
  write(doc, t.personalTitle, textX, y + 14, { size: 10.5, weight: "bold", color: INK, width: textW });
  write(doc, t.personalBody, textX, doc.y + 3, { size: 9, color: BODY, width: textW, lineGap: 1.5 });
}

/** A padlock, 16 × 20 points, drawn with paths. */
function drawLock(doc: Doc, x: number, y: number, color: string) {
  doc.save();
  doc
    .moveTo(x + 4, y + 9)
    .lineTo(x + 4, y + 5.5)
    .bezierCurveTo(x + 4, y + 1, x + 12, y + 1, x + 12, y + 5.5)
    .lineTo(x + 12, y + 9)
    .lineWidth(2)
    .strokeColor(color)
    .stroke();
  doc.roundedRect(x, y + 8, 16, 12, 2.5).fill(color);
  doc.circle(x + 8, y + 13.2, 1.8).fill("#ffffff");
  doc.rect(x + 7.3, y + 13.5, 1.4, 3.5).fill("#ffffff");
  doc.restore();
}

function drawFooter(doc: Doc, t: LetterStrings, shared: LetterShared, H: number, W: number) {
  const y = H - 62;
  doc
    .moveTo(MARGIN, y)
    .lineTo(W - MARGIN, y)
    .lineWidth(0.75)
    .strokeColor(RULE)
    .stroke();
  const contact = shared.frontDeskContact.trim();
  const leftW = W - 2 * MARGIN - 180;
  write(doc, t.helpTitle, MARGIN, y + 12, { size: 9, weight: "bold", color: INK, width: leftW });
  write(doc, contact ? t.helpAt(contact) : t.helpNoContact, MARGIN, doc.y + 1, { size: 9, color: BODY, width: leftW });
  write(doc, shared.organizationName, W - MARGIN - 180, y + 12, { size: 8, color: MUTED, width: 180, align: "right" });
}
