import { Worker } from "node:worker_threads";
import type { QrMatrix } from "./qr-vector.js";

const BATCH = 100;
const AHEAD = 3;

type Reply = { id: number; sizes: Int32Array; runs: Int32Array[] };

/**
 * The personal QR codes of a document, encoded ahead on a thread of their own
 * (qr-worker.mjs) while the letters before them are drawn: `get(i)` is the code of the
 * i-th text, in order. Encoding is the same as qrMatrix(text, "M").
 */
export class QrPipeline {
  private worker = new Worker(new URL("./qr-worker.mjs", import.meta.url), {
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
  });
  private batches = new Map<number, Promise<Reply>>();
  private waiters = new Map<number, { resolve: (reply: Reply) => void; reject: (err: Error) => void }>();
  private failure: Error | null = null;

  constructor(private texts: string[]) {
    this.worker.on("message", (reply: Reply) => {
      this.waiters.get(reply.id)?.resolve(reply);
      this.waiters.delete(reply.id);
    });
    this.worker.on("error", (err) => {
      this.failure = err;
      for (const waiter of this.waiters.values()) waiter.reject(err);
      this.waiters.clear();
    });
    this.worker.unref();
  }

  async get(index: number): Promise<QrMatrix> {
    const b = Math.floor(index / BATCH);
    for (let k = b; k < b + AHEAD && k * BATCH < this.texts.length; k++) this.request(k);
    const reply = await (this.batches.get(b) as Promise<Reply>);
    if (index % BATCH === BATCH - 1) this.batches.delete(b);
    const i = index - b * BATCH;
    const flat = reply.runs[i] as Int32Array;
    const runs: Array<[number, number, number]> = [];
    for (let k = 0; k < flat.length; k += 3) runs.push([flat[k] as number, flat[k + 1] as number, flat[k + 2] as number]);
    return { size: reply.sizes[i] as number, runs };
  }

  close(): void {
    void this.worker.terminate();
  }

  private request(b: number) {
    if (this.batches.has(b) || b * BATCH >= this.texts.length) return;
    if (this.failure) throw this.failure;
    this.batches.set(b, new Promise<Reply>((resolve, reject) => this.waiters.set(b, { resolve, reject })));
    this.worker.postMessage({ id: b, texts: this.texts.slice(b * BATCH, (b + 1) * BATCH) });
  }
}
