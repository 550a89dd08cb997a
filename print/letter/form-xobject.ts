import type { Doc } from "./typeset.js";

/**
 * A PDF Form XObject: drawing recorded once and placed on many pages by reference. The
 * parts of a letter every person shares (texts, steps, store codes, frames) are one such
 * form per language, so a page of a 10,000-letter document holds only what is personal:
 * that keeps letters small (a few KB) and fast to make. Text in a form stays text:
 * pdftotext and screen readers find it as on the page.
 *
 * pdfkit has no public API for forms; it draws through `doc.page`, so for the recording
 * `doc.page` is a stand-in page whose content stream is the form and whose resources are
 * the form's (fonts and images used inside are embedded once, with the document's fonts).
 */
export type Form = { name: string; ref: PDFKit.PDFKitReference };

type PageLike = {
  width: number;
  height: number;
  margins: { top: number; left: number; bottom: number; right: number };
  write(chunk: string | Buffer): void;
  resources: PDFKit.PDFKitReference & { data: Record<string, unknown> };
};

type Internals = { page: unknown; _ctm: number[] };

let counter = 0;

export function recordForm(doc: Doc, width: number, height: number, draw: () => void): Form {
  const d = doc as unknown as Internals;
  const resources = doc.ref({ ProcSet: ["PDF", "Text", "ImageB", "ImageC", "ImageI"] }) as PageLike["resources"];
  const ref = doc.ref({ Type: "XObject", Subtype: "Form", FormType: 1, BBox: [0, 0, width, height], Resources: resources });
  const dict = (key: string) => () => (resources.data[key] ??= {});
  const page = {
    width,
    height,
    margins: { top: 0, left: 0, bottom: 0, right: 0 },
    write: (chunk: string | Buffer) => ref.write(chunk),
    resources,
    maxY: () => height,
  };
  for (const [prop, key] of [
    ["fonts", "Font"],
    ["xobjects", "XObject"],
    ["ext_gstates", "ExtGState"],
    ["patterns", "Pattern"],
    ["colorSpaces", "ColorSpace"],
  ] as const) {
    Object.defineProperty(page, prop, { get: dict(key) });
  }
  const realPage = d.page;
  const ctm = [...d._ctm];
  const { x, y } = doc;
  d.page = page;
  d._ctm = [1, 0, 0, 1, 0, 0];
  try {
    // The same flipped, top-left origin pdfkit gives a new page.
    doc.save();
    doc.transform(1, 0, 0, -1, 0, height);
    draw();
    doc.restore();
  } finally {
    d.page = realPage;
    d._ctm = ctm;
    doc.x = x;
    doc.y = y;
  }
  // Every reference must be ended, or pdfkit never finishes the document.
  (resources as unknown as { end(): void }).end();
  (ref as unknown as { end(): void }).end();
  return { name: `Fx${++counter}`, ref };
}

/** Places the form on the current page, moved down by `dy` points. */
export function placeForm(doc: Doc, form: Form, dy = 0): void {
  const page = (doc as unknown as Internals).page as { xobjects: Record<string, unknown>; height: number };
  page.xobjects[form.name] = form.ref;
  doc.save();
  // Back to PDF's own bottom-left origin, which the form's content expects.
  doc.transform(1, 0, 0, -1, 0, page.height);
  if (dy) doc.translate(0, -dy);
  doc.addContent(`/${form.name} Do`);
  doc.restore();
}
