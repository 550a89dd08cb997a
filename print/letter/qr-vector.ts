import { qrRuns } from "./qr-runs.mjs";

export type QrLevel = "M" | "Q" | "H";

/** The dark modules of a QR code as horizontal runs, in module units: (row, first column, length) triples, flattened. */
export type QrMatrix = { size: number; runs: Int32Array };

/** The quiet zone the QR specification asks for, in modules, kept clear around the code. */
export const QUIET_ZONE = 4;

export function qrMatrix(text: string, level: QrLevel = "M"): QrMatrix {
  return qrRuns(text, level);
}

/** The few drawing calls the QR needs; pdfkit's document has them. */
type Canvas = {
  save(): Canvas;
  restore(): Canvas;
  translate(x: number, y: number): Canvas;
  scale(factor: number): Canvas;
  addContent(data: string | Uint8Array): Canvas;
  fill(color?: string): Canvas;
};

/**
 * Draws a QR code as vector rectangles (one per horizontal run of dark modules, filled in
 * one path), `size` points wide including its quiet zone, with its top-left corner at x, y.
 * Drawing in module units under one transform keeps the numbers small: "12 3 4 1 re".
 * Each run reaches a hair into the row below so that no light seam shows between rows.
 */
export function drawQr(doc: Canvas, matrix: QrMatrix, x: number, y: number, size: number, color = "#000000"): void {
  const modules = matrix.size + 2 * QUIET_ZONE;
  doc.save();
  doc.translate(x, y);
  doc.scale(size / modules);
  doc.translate(QUIET_ZONE, QUIET_ZONE);
  // The path is written in one piece, as bytes: pdfkit's rect() costs a buffer per call
  // (~300 a code), and a string is turned into bytes one character at a time.
  const last = matrix.size - 1;
  const { runs } = matrix;
  let path = "";
  for (let i = 0; i < runs.length; i += 3) {
    const r = runs[i] as number;
    path += `${runs[i + 1]} ${r} ${runs[i + 2]} ${r === last ? "1" : "1.05"} re\n`;
  }
  doc.addContent(Buffer.from(path, "latin1"));
  doc.fill(color);
  doc.restore();
}
