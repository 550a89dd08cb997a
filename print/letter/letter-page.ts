import { type Form, placeForm, recordForm } from "./form-xobject.js";
import { formatLetterDate, type LetterStrings, letterStrings } from "./letter-i18n.js";
import { ACCENT, BODY, INK, MUTED, RULE, TINT, WARN, WARN_TINT } from "./palette.js";
import { MM } from "./paper.js";
import { drawQr, type QrMatrix } from "./qr-vector.js";
import { type Doc, fitSize, heightOf, lineHeight, widthOf, write } from "./typeset.js";

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
const HEADLINE = 26;
const HEADLINE_MIN = 17;
/** The personal code's card; its QR code (with quiet zone) fills the card's width. */
const CARD_W = 200;
const CARD_PAD = 12;
const STORE_QR = 19 * MM;
const CODE_BOX_H = 34;

/** Where the personal parts go, measured while the shared parts of a language are drawn. */
type Layout = {
  headlineY: number;
  flow: Form;
  fixed: Form;
  qr: { x: number; y: number; size: number };
  code: { x: number; y: number; w: number };
  validY: number;
};

/**
 * Draws letters onto a document's pages. The shared parts of each language are recorded
 * once per document as forms; each page adds only the name, the codes and the dates.
 */
export class LetterPainter {
  private layouts = new Map<string, Layout>();

  constructor(
    private doc: Doc,
    private shared: LetterShared,
  ) {}

  /** One invitation letter, on the document's current (fresh) page. */
  draw(person: LetterPerson): void {
    const { doc } = this;
    const t = letterStrings(person.language);
    const W = doc.page.width;
    const layout = this.layout(t, W, doc.page.height);
    const contentW = W - 2 * MARGIN;

    placeForm(doc, layout.fixed);
    const ref = [`#${person.id}`, person.department, person.site].filter(Boolean).join(" · ");
    // Cut off with an ellipsis by pdfkit's line wrapper only when it is too long for its place.
    const refFits = widthOf(doc, ref, { size: 8.5 }) <= 170;
    write(doc, ref, W - MARGIN - 170, 42 + 6 + 12, {
      size: 8.5,
      color: MUTED,
      width: 170,
      align: "right",
      ...(refFits ? { oneLine: true } : { height: 12 }),
    });

    // The greeting fits one line where it can; a very long name takes two, moving the rest down.
    const welcome = t.welcome(person.fullName);
    const { size, fits } = fitSize(doc, welcome, contentW, HEADLINE, HEADLINE_MIN, "bold");
    const oneLine = lineHeight(doc, HEADLINE, "bold");
    const y = layout.headlineY + (oneLine - lineHeight(doc, size, "bold")) * 0.75;
    write(doc, welcome, MARGIN, y, {
      size,
      weight: "bold",
      color: INK,
      width: contentW,
      oneLine: fits,
      height: fits ? undefined : 3 * size,
    });
    const dy = fits ? 0 : Math.max(0, doc.y - (layout.headlineY + oneLine) - 1);
    placeForm(doc, layout.flow, dy);

    const { qr, code } = layout;
    drawQr(doc, person.qr, qr.x, qr.y + dy, qr.size, INK);
    write(doc, person.code, code.x, code.y + dy + 7, {
      size: 17,
      weight: "bold",
      color: INK,
      width: code.w,
      align: "center",
      oneLine: true,
    });
    const valid = person.expiresAt ? t.validUntil(formatLetterDate(t, person.expiresAt)) : t.noExpiry;
    write(doc, valid, qr.x, layout.validY + dy, { size: 8.5, color: MUTED, width: qr.size, align: "center", oneLine: true });
  }

  private layout(t: LetterStrings, W: number, H: number): Layout {
    let layout = this.layouts.get(t.locale);
    if (!layout) {
      let headlineY = 0;
      const fixed = recordForm(this.doc, W, H, () => {
        headlineY = this.drawHeader(t, W);
        this.drawFooter(t, W, H);
      });
      const oneLine = lineHeight(this.doc, HEADLINE, "bold");
      let measured: Omit<Layout, "fixed" | "flow" | "headlineY"> | null = null;
      const flow = recordForm(this.doc, W, H, () => {
        measured = this.drawShared(t, W, headlineY + oneLine);
      });
      layout = { headlineY, fixed, flow, ...(measured as unknown as Omit<Layout, "fixed" | "flow" | "headlineY">) };
      this.layouts.set(t.locale, layout);
    }
    return layout;
  }

  /** The letterhead: logo (or a monogram), name, date, rule and the eyebrow line. Returns the headline's top. */
  private drawHeader(t: LetterStrings, W: number): number {
    const { doc, shared } = this;
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
    const nameSize = fitSize(doc, shared.organizationName, nameW, 15, 10, "bold").size;
    write(doc, shared.organizationName, nameX, top + 17 - nameSize * 0.68, {
      size: nameSize,
      weight: "bold",
      color: INK,
      width: nameW,
      height: nameSize * 1.5,
    });
    write(doc, formatLetterDate(t, shared.printedAt), W - MARGIN - 170, top + 6, {
      size: 8.5,
      color: MUTED,
      width: 170,
      align: "right",
    });
    rule(doc, 88, W);
    write(doc, t.eyebrow(shared.organizationName).toUpperCase(), MARGIN, 108, {
      size: 8,
      weight: "bold",
      color: ACCENT,
      characterSpacing: 0.5,
      width: W - 2 * MARGIN,
      height: 12,
    });
    return doc.y + 6;
  }

  /** Everything below the greeting that all letters of a language share; returns where the personal parts go. */
  private drawShared(t: LetterStrings, W: number, y: number): Omit<Layout, "fixed" | "flow" | "headlineY"> {
    const { doc, shared } = this;
    const contentW = W - 2 * MARGIN;
    write(doc, t.intro(shared.organizationName, shared.appName), MARGIN, y + 8, {
      size: 10.5,
      color: BODY,
      width: contentW * 0.92,
      lineGap: 3,
    });
    const whyBottom = this.drawWhy(t, MARGIN, doc.y + 18, contentW);
    const top = whyBottom + 26;
    const cardX = W - MARGIN - CARD_W;
    const card = this.drawCard(t, cardX, top);
    const stepsBottom = this.drawSteps(t, MARGIN, top, cardX - MARGIN - 28);
    this.drawNotice(t, MARGIN, Math.max(card.bottom, stepsBottom) + 22, contentW);
    return card;
  }

  private drawWhy(t: LetterStrings, x: number, y: number, width: number): number {
    const { doc } = this;
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

  /** The tinted card of the personal code: its frame and words; the code itself is per letter. */
  private drawCard(t: LetterStrings, x: number, y: number) {
    const { doc, shared } = this;
    const inner = CARD_W - 2 * CARD_PAD;
    const cx = x + CARD_PAD;
    const typeLine = t.typeCode(shared.appName);
    const typeH = heightOf(doc, typeLine, { size: 8.5, width: inner });
    const height = CARD_PAD + inner + 12 + 18 + typeH + 6 + CODE_BOX_H + 8 + 12 + CARD_PAD;
    doc.roundedRect(x, y, CARD_W, height, 10).fill(TINT);
    doc.roundedRect(cx, y + CARD_PAD, inner, inner, 6).fill("#ffffff");
    let cy = y + CARD_PAD + inner + 12;
    write(doc, t.qrCaption, cx, cy, { size: 10.5, weight: "bold", color: INK, width: inner, align: "center" });
    cy += 18;
    write(doc, typeLine, cx, cy, { size: 8.5, color: MUTED, width: inner, align: "center" });
    cy += typeH + 6;
    doc
      .roundedRect(cx + 14, cy, inner - 28, CODE_BOX_H, 6)
      .lineWidth(0.9)
      .fillAndStroke("#ffffff", RULE);
    return {
      qr: { x: cx, y: y + CARD_PAD, size: inner },
      code: { x: cx + 14, y: cy, w: inner - 28 },
      validY: cy + CODE_BOX_H + 8,
      bottom: y + height,
    };
  }

  private drawSteps(t: LetterStrings, x: number, y: number, width: number): number {
    const { doc, shared } = this;
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
      if (i === 0 && stores.length) cy = this.drawStoreCodes(stores, textX, cy + 10);
      cy += 20;
    });
    return cy - 20;
  }

  private drawStoreCodes(stores: Array<{ qr: QrMatrix; label: string }>, x: number, y: number): number {
    const { doc } = this;
    const cell = STORE_QR + 30;
    stores.forEach((store, i) => {
      const sx = x + i * cell;
      doc.roundedRect(sx, y, STORE_QR, STORE_QR, 4).lineWidth(0.75).fillAndStroke("#ffffff", RULE);
      drawQr(doc, store.qr, sx, y, STORE_QR, INK);
      write(doc, store.label, sx - 8, y + STORE_QR + 5, { size: 7.5, color: MUTED, width: STORE_QR + 16, align: "center" });
    });
    return doc.y;
  }

  private drawNotice(t: LetterStrings, x: number, y: number, width: number) {
    const { doc } = this;
    const textX = x + 46;
    const textW = width - 46 - 16;
    const bodyH = heightOf(doc, t.personalBody, { size: 9, width: textW, lineGap: 1.5 });
    const height = 14 + 14 + 3 + bodyH + 14;
    doc.save();
    doc.roundedRect(x, y, width, height, 8).clip();
    doc.rect(x, y, width, height).fill(WARN_TINT);
    doc.rect(x, y, 3.5, height).fill(WARN);
    doc.restore();
    drawLock(doc, x + 18, y + height / 2 - 10, WARN);
    write(doc, t.personalTitle, textX, y + 14, { size: 10.5, weight: "bold", color: INK, width: textW });
    write(doc, t.personalBody, textX, doc.y + 3, { size: 9, color: BODY, width: textW, lineGap: 1.5 });
  }

  private drawFooter(t: LetterStrings, W: number, H: number) {
    const { doc, shared } = this;
    const y = H - 62;
    rule(doc, y, W);
    const orgW = Math.min(160, widthOf(doc, shared.organizationName, { size: 8 }) + 4);
    const leftW = W - 2 * MARGIN - orgW - 24;
    const contact = shared.frontDeskContact.trim();
    write(doc, t.helpTitle, MARGIN, y + 12, { size: 9, weight: "bold", color: INK, width: leftW });
    write(doc, contact ? t.helpAt(contact) : t.helpNoContact, MARGIN, doc.y + 1, {
      size: 9,
      color: BODY,
      width: leftW,
      lineGap: 1,
    });
    write(doc, shared.organizationName, W - MARGIN - orgW, y + 13, { size: 8, color: MUTED, width: orgW, align: "right" });
  }
}

function rule(doc: Doc, y: number, W: number) {
  doc
    .moveTo(MARGIN, y)
    .lineTo(W - MARGIN, y)
    .lineWidth(0.75)
    .strokeColor(RULE)
    .stroke();
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
