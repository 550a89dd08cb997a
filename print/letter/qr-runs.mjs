// The QR encoding shared by qr-vector.ts and qr-worker.mjs, in plain JavaScript so that
// the QR worker starts without the TypeScript loader.
import QRCode from "qrcode";

/**
 * The QR code of a text (one byte-mode segment: a URL gains nothing from mixed modes, and
 * finding them is a third of the encoder's time) as its size in modules and its dark
 * modules as horizontal runs, flattened: row, first column, length, row, ….
 */
export function qrRuns(text, level) {
  const { modules } = QRCode.create([{ data: Buffer.from(text, "utf8"), mode: "byte" }], { errorCorrectionLevel: level });
  const { size, data } = modules;
  const runs = [];
  for (let r = 0; r < size; r++) {
    let c = 0;
    while (c < size) {
      if (!data[r * size + c]) {
        c++;
        continue;
      }
      const start = c;
      while (c < size && data[r * size + c]) c++;
      runs.push(r, start, c - start);
    }
  }
  return { size, runs: Int32Array.from(runs) };
}
