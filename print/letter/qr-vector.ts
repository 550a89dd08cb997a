import QRCode from "qrcode";

export type QrLevel = "M" | "Q" | "H";

/** The dark modules of a QR code as horizontal runs, in module units (row, first column, length). */
export type QrMatrix = { size: number; runs: Array<[number, number, number]> };

/** The quiet zone the QR specification asks for, in modules, kept clear around the code. */
export const QUIET_ZONE = 4;

export function qrMatrix(text: string, level: QrLevel = "M"): QrMatrix {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: level });
  const { size, data } = modules;
  const runs: Array<[number, number, number]> = [];
  for (let r = 0; r < size; r++) {
    let c = 0;
    while (c < size) {
      if (!data[r * size + c]) {
        c++;
        continue;
      }
      const start = c;
      while (c < size && data[r * size + c]) c++;
      runs.push([r, start, c - start]);
    }
  }
  return { size, runs };
}

/** The few drawing calls the QR needs; pdfkit's document has them. */
type Canvas = {
  save(): Canvas;
  restore(): Canvas;
  translate(x: number, y: number): Canvas;
  scale(factor: number): Canvas;
  rect(x: number, y: number, w: number, h: number): Canvas;
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
  for (const [r, c, len] of matrix.runs) {
    const last = r === matrix.size - 1;
    doc.rect(c, r, len, last ? 1 : 1.05);
  }
  doc.fill(color);
  doc.restore();
}
