import { Readable } from "node:stream";
import { Worker } from "node:worker_threads";
import type { LetterJob } from "./letter-job.js";
import type { FromWorker, ToWorker } from "./render-worker.js";

const WORKER = new URL(`./render-worker${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url);

/**
 * The render worker's heap limits. The renderer's live data is small (tens of MB) and its
 * garbage short-lived; without limits V8 lets garbage pile up to several times that before
 * collecting, which over 10,000 letters is what pushed the process well past 300 MB.
 */
const OLD_GENERATION_MB = 64;
const YOUNG_GENERATION_MB = 8;

/**
 * Documents rendered at once; more wait their turn. Each worker holds its own fonts and
 * heap (about 150 MB at most), and there are two cores: a burst of downloads or print
 * jobs queues here instead of multiplying the process's memory.
 */
const MAX_WORKERS = 2;
let running = 0;
const waiting: Array<() => void> = [];

function acquire(): Promise<() => void> {
  return new Promise((resolve) => {
    const start = () => {
      running++;
      let released = false;
      resolve(() => {
        if (released) return;
        released = true;
        running--;
        waiting.shift()?.();
      });
    };
    if (running < MAX_WORKERS) start();
    else waiting.push(start);
  });
}

/** The job's PDF as a stream, rendered on a worker thread; ending or destroying the stream stops it. */
export function renderInWorker(job: LetterJob): Readable {
  let worker: Worker | null = null;
  let owed = 0;
  let finished = false;
  const send = (msg: ToWorker) => worker?.postMessage(msg);
  const out = new Readable({
    highWaterMark: 512 * 1024,
    read() {
      if (owed) {
        send({ type: "ack", bytes: owed });
        owed = 0;
      }
    },
    destroy(err, callback) {
      if (!finished) send({ type: "stop" });
      void worker?.terminate();
      callback(err);
    },
  });
  void acquire().then((release) => {
    if (out.destroyed) return release();
    worker = startWorker(job);
    worker.on("message", (msg: FromWorker) => {
      if (msg.type === "chunk") {
        const bytes = Buffer.from(msg.bytes.buffer, msg.bytes.byteOffset, msg.bytes.byteLength);
        // Acknowledged at once while the reader keeps up, else when it next reads.
        if (out.push(bytes)) send({ type: "ack", bytes: bytes.length });
        else owed += bytes.length;
      } else if (msg.type === "done") {
        finished = true;
        out.push(null);
      } else {
        finished = true;
        out.destroy(new Error(`Rendering the letters failed: ${msg.message}`));
      }
    });
    worker.on("error", (err) => out.destroy(err));
    worker.on("exit", (code) => {
      release();
      if (!finished && !out.destroyed) out.destroy(new Error(`The letter renderer stopped (exit code ${code}).`));
    });
  });
  return out;
}

function startWorker(job: LetterJob): Worker {
  const options = {
    workerData: job,
    resourceLimits: { maxOldGenerationSizeMb: OLD_GENERATION_MB, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  };
  // The project runs TypeScript through tsx: a worker registers it before loading the module.
  return WORKER.pathname.endsWith(".ts")
    ? new Worker(`import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(WORKER.href)}); })`, {
        ...options,
        eval: true,
      })
    : new Worker(WORKER, options);
}
