// Encodes QR codes for the render worker, on a thread of its own: encoding (choosing the
// best of eight masks) is a third of a letter's work, and here it overlaps the drawing of
// the letters before. Plain JavaScript, so it starts without the TypeScript loader.
// In: { id, texts: string[] }. Out: { id, sizes: Int32Array, runs: Int32Array[] } where each
// code's runs are flattened (row, first column, length) triples, as qrMatrix() returns them.
import { parentPort } from "node:worker_threads";
import QRCode from "qrcode";

parentPort.on("message", ({ id, texts }) => {
  const sizes = new Int32Array(texts.length);
  const runs = texts.map((text, i) => {
    const { modules } = QRCode.create([{ data: Buffer.from(text, "utf8"), mode: "byte" }], { errorCorrectionLevel: "M" });
    const { size, data } = modules;
    sizes[i] = size;
    const out = [];
    for (let r = 0; r < size; r++) {
      let c = 0;
      while (c < size) {
        if (!data[r * size + c]) {
          c++;
          continue;
        }
        const start = c;
        while (c < size && data[r * size + c]) c++;
        out.push(r, start, c - start);
      }
    }
    return Int32Array.from(out);
  });
  parentPort.postMessage({ id, sizes, runs }, [sizes.buffer, ...runs.map((r) => r.buffer)]);
});
