import { Worker } from "node:worker_threads";
import { type QrMatrix, qrMatrix } from "./qr-vector.js";

const BATCH = 100;
const AHEAD = 3;
/**
 * The first codes of a document are encoded on the render thread itself: the first letter
 * is drawn at once instead of after a batch of 100 (and, after a start, after the encoder's
 * thread has loaded), while the encoder works on the codes after them.
 */
const LOCAL = 8;

type Reply = { id: number; sizes: Int32Array; runs: Int32Array[] };
type Waiter = { resolve: (reply: Reply) => void; reject: (err: Error) => void };

/**
 * The thread's QR encoder (qr-worker.mjs), started on first use and kept for the documents
 * after: a 50-letter print job would otherwise wait for a new thread before its first code.
 * It does not keep the process alive; one that fails is replaced for the next request.
 */
class QrEncoder {
  private static current: QrEncoder | null = null;

  static get(): QrEncoder {
    QrEncoder.current ??= new QrEncoder();
    return QrEncoder.current;
  }

  private worker = new Worker(new URL("./qr-worker.mjs", import.meta.url), {
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
  });
  private waiters = new Map<number, Waiter>();
  private nextId = 0;
  private failure: Error | null = null;

  private constructor() {
    this.worker.on("message", (reply: Reply) => {
      this.waiters.get(reply.id)?.resolve(reply);
      this.waiters.delete(reply.id);
    });
    const fail = (err: Error) => {
      this.failure ??= err;
      if (QrEncoder.current === this) QrEncoder.current = null;
      for (const waiter of this.waiters.values()) waiter.reject(err);
      this.waiters.clear();
    };
    this.worker.on("error", fail);
    this.worker.on("exit", (code) => fail(new Error(`The QR encoder stopped (exit code ${code}).`)));
    this.worker.unref();
  }

  encode(texts: string[]): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    const id = ++this.nextId;
    const reply = new Promise<Reply>((resolve, reject) => this.waiters.set(id, { resolve, reject }));
    this.worker.postMessage({ id, texts });
    return reply;
  }
}

/**
 * Starts the QR encoder's thread now (the render worker does while it loads its own
 * modules), so that it is ready when the first document's codes are asked for.
 */
export function startQrEncoder(): void {
  QrEncoder.get();
}

/**
 * The personal QR codes of a document, encoded ahead on the QR encoder's thread while the
 * letters before them are drawn: `get(i)` is the code of the i-th text, in order.
 * Encoding is the same as qrMatrix(text, "M").
 */
export class QrPipeline {
  private encoder = QrEncoder.get();
  private batches = new Map<number, Promise<Reply>>();
  /** The texts the encoder's thread encodes: those after the LOCAL first. */
  private remote: string[];

  constructor(private texts: string[]) {
    this.remote = texts.slice(LOCAL);
  }

  async get(index: number): Promise<QrMatrix> {
    if (index < LOCAL) {
      // The encoder starts on the codes after these meanwhile.
      for (let k = 0; k < AHEAD; k++) this.request(k);
      return qrMatrix(this.texts[index] as string, "M");
    }
    const at = index - LOCAL;
    const b = Math.floor(at / BATCH);
    for (let k = b; k < b + AHEAD; k++) this.request(k);
    const reply = await (this.batches.get(b) as Promise<Reply>);
    if (at % BATCH === BATCH - 1) this.batches.delete(b);
    const i = at - b * BATCH;
    return { size: reply.sizes[i] as number, runs: reply.runs[i] as Int32Array };
  }

  /** Forgets the codes encoded ahead (the encoder stays for the next document). */
  close(): void {
    this.batches.clear();
  }

  private request(b: number) {
    if (this.batches.has(b) || b * BATCH >= this.remote.length) return;
    const batch = this.encoder.encode(this.remote.slice(b * BATCH, (b + 1) * BATCH));
    // A failure is thrown where the batch is awaited; one never awaited is not an error.
    batch.catch(() => {});
    this.batches.set(b, batch);
  }
}
