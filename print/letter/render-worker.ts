/**
 * The render worker: makes PDFs of letters off the server's main thread (requests keep
 * being answered during a 10,000-letter batch) under a heap limit of its own. It stays up
 * between documents (render-pool.ts starts it once and hands it one document at a time),
 * so a print job does not pay for a new thread and its TypeScript loader. Bytes go to the
 * parent in 64 KB messages; it acknowledges what its reader took, and the worker waits
 * while more than WINDOW bytes are unacknowledged.
 */
import { parentPort } from "node:worker_threads";
import type { LetterJob } from "./letter-job.js";
import { startQrEncoder } from "./qr-pipeline.js";

// The QR encoder's thread starts while this one loads pdfkit and fontkit (the longest part
// of a start), instead of after, when the first document asks for its first codes.
startQrEncoder();
const { renderJob } = await import("./letter-job.js");

/** Every message names its document: a late ack or stop for a finished one is ignored. */
export type ToWorker =
  | { type: "render"; id: number; job: LetterJob }
  | { type: "ack"; id: number; bytes: number }
  | { type: "stop"; id: number };
/** `done` also answers a stop: the document has ended and the worker is free. */
export type FromWorker =
  | { type: "chunk"; id: number; bytes: Uint8Array }
  | { type: "done"; id: number }
  | { type: "error"; id: number; message: string };

const MESSAGE = 64 * 1024;
const WINDOW = 2 * 1024 * 1024;

const port = parentPort;
if (!port) throw new Error("render-worker runs as a worker thread");
const post = (msg: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);

/** The document being rendered and its flow of bytes to the parent. */
class Outgoing {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private unacked = 0;
  private stopped = false;
  private wake: (() => void) | null = null;

  constructor(readonly id: number) {}

  acked(bytes: number) {
    this.unacked -= bytes;
    this.resume();
  }

  stop() {
    this.stopped = true;
    this.resume();
  }

  chunk(bytes: Buffer) {
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= MESSAGE) this.flush();
  }

  /** Resolves false when the reader has gone (the document is abandoned). */
  async ready(): Promise<boolean> {
    this.flush();
    while (!this.stopped && this.unacked > WINDOW) await new Promise<void>((resolve) => (this.wake = resolve));
    return !this.stopped;
  }

  flush() {
    if (!this.pendingBytes) return;
    // One copy into a buffer of its own: the chunks are slices of shared pools.
    const bytes = new Uint8Array(this.pendingBytes);
    let at = 0;
    for (const b of this.pending) {
      bytes.set(b, at);
      at += b.length;
    }
    this.unacked += this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    post({ type: "chunk", id: this.id, bytes }, [bytes.buffer]);
  }

  private resume() {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}

let current: Outgoing | null = null;

port.on("message", (msg: ToWorker) => {
  if (msg.type === "render") {
    void render(msg.id, msg.job);
    return;
  }
  if (!current || current.id !== msg.id) return;
  if (msg.type === "ack") current.acked(msg.bytes);
  else current.stop();
});

async function render(id: number, job: LetterJob): Promise<void> {
  const out = new Outgoing(id);
  current = out;
  try {
    await renderJob(job, out);
    out.flush();
    post({ type: "done", id });
  } catch (err) {
    post({ type: "error", id, message: (err as Error).message });
  } finally {
    current = null;
  }
}
