import PDFDocument from "pdfkit";
import { PAPER, type Paper } from "./paper.js";
import type { Doc } from "./typeset.js";

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
    lang: info.language,
    displayTitle: true,
    info: { Title: info.title, Author: info.author, Subject: info.title, Creator: "Invite Station", Producer: "Invite Station" },
  });
  releaseWrittenPages(doc);
  return doc;
}

/**
 * pdfkit keeps every page's dictionaries until the document ends, though it wrote them out
 * when the page was flushed: the list of pages only needs their object numbers. Emptying
 * what was written keeps memory flat over 10,000 pages (about 5 KB a page otherwise).
 */
function releaseWrittenPages(doc: Doc): void {
  type Ref = { data: Record<string, unknown> };
  const kids = (doc as unknown as { _root: { data: { Pages: { data: { Kids: Ref[] } } } } })._root.data.Pages.data.Kids;
  let released = 0;
  doc.on("pageAdded", () => {
    // Pages before the new one have been flushed (written) by addPage.
    for (; released < kids.length - 1; released++) {
      const page = kids[released] as Ref;
      for (const key of ["Resources", "Contents"]) {
        const ref = page.data[key] as Ref | undefined;
        if (ref) ref.data = {};
      }
      page.data = {};
    }
  });
}

export function addPage(doc: Doc, paper: Paper): void {
  doc.addPage({ size: PAPER[paper].pdfkit, margin: 0 });
}
