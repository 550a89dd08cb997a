import QRCode from "qrcode";

export type QrLevel = "M" | "Q" | "H";

/** The dark modules of a QR code as horizontal runs, in module units (row, first column, length). */
export type QrMatrix = { size: number; runs: Array<[number, number, number]> };

/** The quiet zone the QR specification asks for, in modules, kept clear around the code. */
export const QUIET_ZONE = 4;

export function qrMatrix(text: string, level: QrLevel = "M"): QrMatrix {
  // One byte-mode segment: a URL gains nothing from mixed modes, and finding them is a
  // third of the encoder's time.
  const { modules } = QRCode.create([{ data: Buffer.from(text, "utf8"), mode: "byte" }], { errorCorrectionLevel: level });
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
  addContent(data: string): Canvas;
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
  // The path is written in one piece: pdfkit's rect() costs a buffer per call, ~300 a code.
  const last = matrix.size - 1;
  const ops = new Array<string>(matrix.runs.length);
  for (let i = 0; i < ops.length; i++) {
    const [r, c, len] = matrix.runs[i] as [number, number, number];
    ops[i] = `${c} ${r} ${len} ${r === last ? 1 : 1.05} re`;
  }
  doc.addContent(ops.join("\n"));
  doc.fill(color);
  doc.restore();
}
