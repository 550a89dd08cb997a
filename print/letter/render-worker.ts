/**
 * The render worker: makes one PDF of letters off the server's main thread (requests keep
 * being answered during a 10,000-letter batch) under a heap limit of its own. Bytes go to
 * the parent in 64 KB messages; it acknowledges what its reader took, and the worker waits
 * while more than WINDOW bytes are unacknowledged.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type LetterJob, renderJob } from "./letter-job.js";

export type FromWorker = { type: "chunk"; bytes: Uint8Array } | { type: "done" } | { type: "error"; message: string };
export type ToWorker = { type: "ack"; bytes: number } | { type: "stop" };

const MESSAGE = 64 * 1024;
const WINDOW = 2 * 1024 * 1024;

const port = parentPort;
if (!port) throw new Error("render-worker runs as a worker thread");

let pending: Buffer[] = [];
let pendingBytes = 0;
let unacked = 0;
let stopped = false;
let wake: (() => void) | null = null;

port.on("message", (msg: ToWorker) => {
  if (msg.type === "ack") unacked -= msg.bytes;
  else stopped = true;
  const w = wake;
  wake = null;
  w?.();
});

function flush() {
  if (!pendingBytes) return;
  // One copy into a buffer of its own: the chunks are slices of shared pools.
  const bytes = new Uint8Array(pendingBytes);
  let at = 0;
  for (const b of pending) {
    bytes.set(b, at);
    at += b.length;
  }
  unacked += pendingBytes;
  pending = [];
  pendingBytes = 0;
  port?.postMessage({ type: "chunk", bytes } satisfies FromWorker, [bytes.buffer]);
}

try {
  await renderJob(workerData as LetterJob, {
    chunk(bytes) {
      pending.push(bytes);
      pendingBytes += bytes.length;
      if (pendingBytes >= MESSAGE) flush();
    },
    async ready() {
      flush();
      while (!stopped && unacked > WINDOW) await new Promise<void>((resolve) => (wake = resolve));
      return !stopped;
    },
  });
  flush();
  port.postMessage({ type: "done" } satisfies FromWorker);
} catch (err) {
  port.postMessage({ type: "error", message: (err as Error).message } satisfies FromWorker);
}
port.close();
