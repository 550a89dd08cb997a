import { setImmediate as yieldToLoop } from "node:timers/promises";
import { type CoverSheet, drawCoverSheet } from "./cover-sheet.js";
import { trimLayoutCaches } from "./layout-cache.js";
import { addPage, createLetterDocument } from "./letter-document.js";
import { LetterPainter, type LetterPerson, type LetterShared } from "./letter-page.js";
import type { Paper } from "./paper.js";
import { QrPipeline } from "./qr-pipeline.js";
import { qrMatrix } from "./qr-vector.js";
import type { Doc } from "./typeset.js";

/** One letter, checked and ready to draw: the person's words and their link (drawn as the QR code). */
export type LetterEntry = Omit<LetterPerson, "qr"> & { url: string };

/** Everything a document of letters needs, as plain data (it crosses to the render worker). */
export type LetterJob = {
  paper: Paper;
  people: LetterEntry[];
  organizationName: string;
  appName: string;
  frontDeskContact: string;
  appStoreUrl: string;
  playStoreUrl: string;
  logo: Uint8Array | null;
  cover?: CoverSheet;
  /** Printed on both sides: a blank back where needed, so that each letter has a sheet of its own. */
  twoSided?: boolean;
  title: string;
  language: string;
};

/** Where the PDF goes: `chunk` takes bytes; `ready` resolves false when the reader is gone. */
export type PdfSink = { chunk(bytes: Buffer): void; ready(): Promise<boolean> };

/** Renders the job's document into the sink, letter by letter, following the sink's pace. */
export async function renderJob(job: LetterJob, sink: PdfSink): Promise<void> {
  const doc = createLetterDocument(job.paper, { title: job.title, author: job.organizationName, language: job.language });
  const ended = new Promise<void>((resolve, reject) => {
    doc.on("data", (bytes: Buffer) => sink.chunk(bytes));
    doc.on("end", () => resolve());
    doc.on("error", reject);
  });
  const shared: LetterShared = {
    organizationName: job.organizationName,
    appName: job.appName,
    frontDeskContact: job.frontDeskContact,
    logo: job.logo ? openLogo(doc, Buffer.from(job.logo)) : null,
    appStoreQr: job.appStoreUrl ? qrMatrix(job.appStoreUrl, "M") : null,
    playStoreQr: job.playStoreUrl ? qrMatrix(job.playStoreUrl, "M") : null,
    printedAt: new Date(),
  };
  let pages = 0;
  const newPage = () => {
    addPage(doc, job.paper);
    pages++;
  };
  // On a two-sided printer a letter must never be on the back of another: its code is
  // personal, and the front desk hands out sheets.
  const newSheet = () => {
    if (job.twoSided && pages % 2 === 1) newPage();
    newPage();
  };
  if (job.cover) {
    newSheet();
    drawCoverSheet(doc, job.cover, newPage);
  }
  const painter = new LetterPainter(doc, shared);
  // A single letter is encoded here; for more, the codes are encoded ahead on another thread.
  const pipeline = job.people.length > 1 ? new QrPipeline(job.people.map((p) => p.url)) : null;
  try {
    for (let i = 0; i < job.people.length; i++) {
      const { url, ...person } = job.people[i] as LetterEntry;
      const qr = pipeline ? await pipeline.get(i) : qrMatrix(url, "M");
      newSheet();
      painter.draw({ ...person, qr });
      if (i % 5 === 4) {
        // Let the written bytes flow out, and wait while the reader is behind.
        await yieldToLoop();
        if (!(await sink.ready())) return;
      }
      if (i % 50 === 49) trimLayoutCaches();
    }
  } finally {
    pipeline?.close();
  }
  doc.end();
  await ended;
}

/**
 * pdfkit's image object, opened once so that every page refers to one embedded copy. A
 * logo pdfkit cannot read (an unusual PNG variant) leaves the organization's name alone
 * rather than failing every letter.
 */
function openLogo(doc: Doc, data: Buffer): LetterShared["logo"] {
  try {
    const image = (doc as unknown as { openImage(src: Buffer): { width: number; height: number } }).openImage(data);
    return { image, width: image.width, height: image.height };
  } catch {
    return null;
  }
}
