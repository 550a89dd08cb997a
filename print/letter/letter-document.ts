import PDFDocument from "pdfkit";
import { PAPER, type Paper } from "./paper.js";
import { type Doc, registerFonts } from "./typeset.js";

export type DocumentInfo = { title: string; author: string; language: string };

/**
 * A PDF document for letters: no automatic first page (each letter adds its own), no page
 * margins (the layout places everything), compressed content, the fonts registered.
 */
export function createLetterDocument(paper: Paper, info: DocumentInfo): Doc {
  const doc = new PDFDocument({
    size: PAPER[paper].pdfkit,
    margin: 0,
    autoFirstPage: false,
    compress: true,
    // pdfkit caches the layout of every word it ever set, per font: over 10,000 letters the
    // personal words (codes, names, ids) alone grow that by tens of MB. The shared words are
    // drawn once per document anyway (forms), so there is little to gain from caching.
    fontLayoutCache: false,
    lang: info.language,
    displayTitle: true,
    info: { Title: info.title, Author: info.author, Subject: info.title, Creator: "Invite Station", Producer: "Invite Station" },
  });
  registerFonts(doc);
  return doc;
}

export function addPage(doc: Doc, paper: Paper): void {
  doc.addPage({ size: PAPER[paper].pdfkit, margin: 0 });
}

/**
 * Backpressure for a document read as a stream: pdfkit pushes what it writes whatever the
 * reader does, so the renderer waits here, between letters, until the reader has taken
 * what is buffered. Resolves false once the reader has gone away (stop rendering).
 */
export function flowControl(doc: Doc): () => Promise<boolean> {
  let wake: (() => void) | null = null;
  let gone = false;
  const readable = doc as unknown as NodeJS.ReadableStream & {
    _read: () => void;
    readableLength: number;
    readableHighWaterMark: number;
    destroyed: boolean;
  };
  readable._read = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  doc.on("close", () => {
    gone = true;
    readable._read();
  });
  return async () => {
    if (gone || readable.destroyed) return false;
    if (readable.readableLength < readable.readableHighWaterMark * 16) return true;
    await new Promise<void>((resolve) => {
      wake = resolve;
    });
    return !gone && !readable.destroyed;
  };
}
