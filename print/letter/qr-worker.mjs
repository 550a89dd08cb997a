// Encodes QR codes for the render worker, on a thread of its own: encoding (choosing the
// best of eight masks) is a third of a letter's work, and here it overlaps the drawing of
// the letters before. Plain JavaScript, so it starts without the TypeScript loader.
// In: { id, texts: string[] }. Out: { id, sizes: Int32Array, runs: Int32Array[] }, each
// code as qrRuns() makes it (qrMatrix() in the render worker makes the same).
import { parentPort } from "node:worker_threads";
import { qrRuns } from "./qr-runs.mjs";

parentPort.on("message", ({ id, texts }) => {
  const sizes = new Int32Array(texts.length);
  const runs = texts.map((text, i) => {
    const code = qrRuns(text, "M");
    sizes[i] = code.size;
    return code.runs;
  });
  parentPort.postMessage({ id, sizes, runs }, [sizes.buffer, ...runs.map((r) => r.buffer)]);
});
