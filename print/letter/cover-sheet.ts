import { ACCENT, BODY, INK, MUTED, RULE, TINT } from "./palette.js";
import { type Doc, widthOf, write } from "./typeset.js";

/** The page that leads a print job, so the front desk knows whose letters are in the stack. */
export type CoverSheet = {
  title: string;
  printerName: string;
  site: string | null;
  createdAt: Date;
  jobNumber: number;
  jobCount: number;
  people: Array<{ firstName: string; lastName: string; department: string | null; site: string | null }>;
};

const MARGIN = 54;
const ROW = 17;
const WHEN = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeStyle: "short" });

/** Draws the cover sheet from the current page on; long lists continue on further pages. */
export function drawCoverSheet(doc: Doc, cover: CoverSheet, addPage: () => void): void {
  const W = doc.page.width;
  const H = doc.page.height;
  const contentW = W - 2 * MARGIN;

  write(doc, "PRINT JOB · INVITATION LETTERS", MARGIN, 48, { size: 8, weight: "bold", color: ACCENT, characterSpacing: 0.5 });
  write(doc, cover.title, MARGIN, doc.y + 6, { size: 22, weight: "bold", color: INK, width: contentW - 120 });
  // Big job number top right: stacks are sorted by it at a glance.
  write(doc, `${cover.jobNumber}/${cover.jobCount}`, W - MARGIN - 120, 50, {
    size: 30,
    weight: "bold",
    color: INK,
    width: 120,
    align: "right",
  });
  write(doc, "job", W - MARGIN - 120, doc.y - 2, { size: 8, color: MUTED, width: 120, align: "right" });

  const facts: Array<[string, string]> = [
    ["Printer", cover.printerName],
    ["Site", cover.site ?? "All sites"],
    ["Created", WHEN.format(cover.createdAt)],
    ["Job", `${cover.jobNumber} of ${cover.jobCount}`],
    ["Letters", String(cover.people.length)],
  ];
  let y = Math.max(doc.y, 110) + 14;
  const factW = contentW / facts.length;
  doc.roundedRect(MARGIN, y, contentW, 46, 8).fill(TINT);
  facts.forEach(([label, value], i) => {
    const x = MARGIN + 12 + i * factW;
    write(doc, label.toUpperCase(), x, y + 9, {
      size: 7,
      weight: "bold",
      color: MUTED,
      characterSpacing: 0.4,
      width: factW - 16,
    });
    write(doc, value, x, doc.y + 3, { size: 10, weight: "bold", color: INK, width: factW - 16, lineGap: 0 });
  });
  y += 46 + 16;
  write(
    doc,
    "Hand each letter to its person in private: it carries their personal invitation code. Tick them off as you go.",
    MARGIN,
    y,
    { size: 9, color: BODY, width: contentW },
  );
  y = doc.y + 14;

  const cols = [
    { label: "#", x: 0, w: 28 },
    { label: "Name", x: 28, w: 200 },
    { label: "Department", x: 232, w: 120 },
    { label: "Site", x: 356, w: contentW - 356 - 54 },
    { label: "Given", x: contentW - 44, w: 44 },
  ];
  const header = (top: number) => {
    cols.forEach((c) => {
      write(doc, c.label.toUpperCase(), MARGIN + c.x, top, { size: 7, weight: "bold", color: MUTED, characterSpacing: 0.4 });
    });
    doc
      .moveTo(MARGIN, top + 13)
      .lineTo(W - MARGIN, top + 13)
      .lineWidth(0.75)
      .strokeColor(RULE)
      .stroke();
    return top + 18;
  };
  y = header(y);
  cover.people.forEach((p, i) => {
    if (y + ROW > H - 50) {
      addPage();
      y = header(48);
    }
    if (i % 2 === 1) doc.rect(MARGIN, y - 3, contentW, ROW).fill(TINT);
    const cell = (text: string, c: (typeof cols)[number], color = BODY) =>
      write(doc, truncate(doc, text, c.w), MARGIN + c.x, y, { size: 9, color, width: c.w, lineGap: 0 });
    cell(String(i + 1), cols[0]!, MUTED);
    cell(`${p.lastName}, ${p.firstName}`, cols[1]!, INK);
    cell(p.department ?? "—", cols[2]!);
    cell(p.site ?? "—", cols[3]!);
    doc
      .rect(MARGIN + (cols[4]?.x ?? 0) + 14, y - 0.5, 10, 10)
      .lineWidth(0.8)
      .strokeColor(MUTED)
      .stroke();
    y += ROW;
  });
}

/** Keeps a table cell on one line, shortened with an ellipsis where it is too wide. */
function truncate(doc: Doc, text: string, width: number): string {
  if (widthOf(doc, text, { size: 9 }) <= width - 4) return text;
  const chars = [...text];
  while (chars.length > 1 && widthOf(doc, `${chars.join("")}…`, { size: 9 }) > width - 4) chars.pop();
  return `${chars.join("").trimEnd()}…`;
}
