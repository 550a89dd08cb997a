import { isBuiltin } from "node:module";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
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

/**
 * How long the one idle worker is kept after its last document. Kept, the next print job or
 * download skips the thread's start (about a second for 1,000 letters); idle, it holds
 * 20–60 MB (its heap, the fonts it parsed, HarfBuzz's memory), which a service that prints
 * once a night would otherwise carry all day. A renderer warmed at start (LETTERS_WARM_UP)
 * is kept for good: that is what the setting asks for.
 */
const IDLE_MS = 5 * 60_000;

/** A render worker thread and the document it is rendering, if any. */
type Thread = {
  worker: Worker;
  /** Messages about the current document; null while idle. */
  onMessage: ((msg: FromWorker) => void) | null;
  /** Called once if the thread dies while it has a document. */
  onDeath: ((err: Error) => void) | null;
  alive: boolean;
  /** Ends the thread when it has been idle for the pool's idle time. */
  idleTimer: NodeJS.Timeout | null;
};

/**
 * The render workers of a process: started when a document first needs one, kept between
 * documents (starting a thread, loading its modules and parsing its fonts cost far more
 * than a print job of 50 letters), restarted after one dies, stopped with the app. At most
 * MAX_WORKERS render at once; one idle worker is kept for IDLE_MS, a second one leaves when
 * it has nothing to do. An idle worker does not keep the process alive (a command-line run
 * ends when its work does).
 */
export class RenderPool {
  private threads = new Set<Thread>();
  private idle: Thread[] = [];
  private waiting: Array<{ resolve: (t: Thread) => void; reject: (err: Error) => void }> = [];
  private nextId = 0;
  private starting = 0;
  private warming: Promise<void> | null = null;
  private prestarting: Promise<void> | null = null;

  /** `idleMs`: how long the idle worker is kept (null: for good). */
  constructor(
    private max = MAX_WORKERS,
    private idleMs: number | null = IDLE_MS,
  ) {}

  /** Worker threads alive (rendering, idle or starting). */
  get size(): number {
    return this.threads.size + this.starting;
  }

  /** The job's PDF as a stream, rendered on a worker thread; ending or destroying the stream stops it. */
  render(request: LetterJob): Readable {
    // Dropped once sent: the stream's closures would otherwise keep 10,000 people alive.
    let job: LetterJob | null = request;
    const id = ++this.nextId;
    let thread: Thread | null = null;
    let owed = 0;
    let finished = false;
    const send = (msg: ToWorker) => thread?.worker.postMessage(msg);
    const out = new Readable({
      highWaterMark: 512 * 1024,
      read() {
        if (owed) {
          send({ type: "ack", id, bytes: owed });
          owed = 0;
        }
      },
      // The worker stops at its next pause and answers `done`; only then is it free again.
      destroy(err, callback) {
        if (!finished) send({ type: "stop", id });
        callback(err);
      },
    });
    const end = (t: Thread) => {
      finished = true;
      t.onMessage = null;
      t.onDeath = null;
      this.release(t);
    };
    this.acquire().then(
      (t) => {
        if (out.destroyed) {
          job = null;
          this.release(t);
          return;
        }
        thread = t;
        t.onMessage = (msg) => {
          if (msg.id !== id) return;
          if (msg.type === "chunk") {
            if (out.destroyed) return;
            const bytes = Buffer.from(msg.bytes.buffer, msg.bytes.byteOffset, msg.bytes.byteLength);
            // Acknowledged at once while the reader keeps up, else when it next reads.
            if (out.push(bytes)) send({ type: "ack", id, bytes: bytes.length });
            else owed += bytes.length;
          } else if (msg.type === "done") {
            end(t);
            if (!out.destroyed) out.push(null);
          } else {
            end(t);
            out.destroy(new Error(`Rendering the letters failed: ${msg.message}`));
          }
        };
        t.onDeath = (err) => {
          finished = true;
          out.destroy(err);
        };
        t.worker.postMessage({ type: "render", id, job: job as LetterJob } satisfies ToWorker);
        job = null;
      },
      (err: Error) => out.destroy(err),
    );
    return out;
  }

  /** Stops every worker; documents still rendering fail, those waiting for a worker too. */
  async stop(): Promise<void> {
    const err = new Error("The letter renderer stopped: the service is shutting down.");
    for (const w of this.waiting.splice(0)) w.reject(err);
    const threads = [...this.threads];
    this.threads.clear();
    this.idle = [];
    await Promise.all(
      threads.map((t) => {
        if (t.idleTimer) clearTimeout(t.idleTimer);
        t.alive = false;
        t.onDeath?.(err);
        t.onDeath = null;
        t.onMessage = null;
        return t.worker.terminate();
      }),
    );
  }

  /**
   * Renders a sample document nobody reads (LetterService.warmUp) on a new worker. Until it
   * is done, documents wait for that worker instead of starting a second, cold one.
   */
  async warm(sample: LetterJob): Promise<void> {
    this.idleMs = null;
    for (const t of this.idle) if (t.idleTimer) clearTimeout(t.idleTimer);
    // Asks for its worker now, before `warming` is set: it is the one the others wait for.
    const pdf = this.render(sample);
    const done = (async () => {
      for await (const _ of pdf);
    })();
    this.warming = done.catch(() => {});
    try {
      await done;
    } finally {
      this.warming = null;
    }
  }

  /**
   * Starts a worker for a document about to be asked for, when none is up: the caller is
   * still checking the people in the database, and the thread loads its modules meanwhile
   * (about a quarter of a second). The worker then waits idle for that document.
   */
  prestart(): void {
    if (this.threads.size || this.starting || this.prestarting) return;
    this.prestarting = this.spawn()
      .then(
        (t) => this.release(t),
        () => {},
      )
      .finally(() => (this.prestarting = null));
  }

  private async acquire(): Promise<Thread> {
    if (this.warming && !this.idle.length) await this.warming;
    if (this.prestarting && !this.idle.length) await this.prestarting;
    const idle = this.idle.pop();
    if (idle) {
      if (idle.idleTimer) clearTimeout(idle.idleTimer);
      idle.idleTimer = null;
      idle.worker.ref();
      return Promise.resolve(idle);
    }
    if (this.threads.size + this.starting < this.max) return this.spawn();
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private async spawn(): Promise<Thread> {
    this.starting++;
    try {
      return this.start(await workerCode());
    } finally {
      this.starting--;
    }
  }

  private release(t: Thread): void {
    if (!t.alive) return;
    const next = this.waiting.shift();
    if (next) next.resolve(t);
    else if (this.idle.length) {
      this.forget(t);
      void t.worker.terminate();
    } else {
      t.worker.unref();
      this.idle.push(t);
      if (this.idleMs !== null) {
        const idleMs = this.idleMs;
        t.idleTimer = setTimeout(() => {
          t.idleTimer = null;
          if (!this.idle.includes(t)) return;
          this.forget(t);
          void t.worker.terminate();
        }, idleMs);
        t.idleTimer.unref();
      }
    }
  }

  private forget(t: Thread): void {
    if (t.idleTimer) clearTimeout(t.idleTimer);
    t.idleTimer = null;
    t.alive = false;
    this.threads.delete(t);
    this.idle = this.idle.filter((i) => i !== t);
  }

  private start(code: URL): Thread {
    const worker = startWorker(code);
    const thread: Thread = { worker, onMessage: null, onDeath: null, alive: true, idleTimer: null };
    this.threads.add(thread);
    let failure: Error | null = null;
    worker.on("message", (msg: FromWorker) => thread.onMessage?.(msg));
    worker.on("error", (err) => (failure = err));
    worker.on("exit", (code) => {
      if (!thread.alive) return;
      this.forget(thread);
      thread.onDeath?.(failure ?? new Error(`The letter renderer stopped (exit code ${code}).`));
      // Its place goes to the next document waiting, on a fresh worker.
      const next = this.waiting.shift();
      if (next) this.spawn().then(next.resolve, next.reject);
    });
    return thread;
  }
}

function startWorker(code: URL): Worker {
  return new Worker(code, {
    resourceLimits: { maxOldGenerationSizeMb: OLD_GENERATION_MB, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
}

let bundled: Promise<URL> | null = null;

/**
 * The worker's code. Run from TypeScript (tsx), a worker would need tsx's loader again:
 * a loader thread of its own (about 25 MB for as long as the worker lives) and every module
 * compiled a second time. Instead the render worker's own modules are bundled once per
 * process, in memory, by esbuild (the compiler tsx runs on), and the worker starts from that
 * as plain JavaScript; the packages they import are loaded by Node from node_modules.
 */
function workerCode(): Promise<URL> {
  if (!WORKER.pathname.endsWith(".ts")) return Promise.resolve(WORKER);
  bundled ??= bundleWorker().catch((err) => {
    bundled = null;
    throw err;
  });
  return bundled;
}

async function bundleWorker(): Promise<URL> {
  const esbuild = await import("esbuild");
  const built = esbuild.build({
    entryPoints: [fileURLToPath(WORKER)],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    logLevel: "silent",
    // The bundled modules all live in this folder: they find the QR worker and the fonts from here.
    define: { "import.meta.url": JSON.stringify(WORKER.href) },
    plugins: [
      {
        name: "packages-from-node-modules",
        setup(build) {
          // A data: module can import only absolute URLs: each package is resolved here.
          build.onResolve({ filter: /^[^./]/ }, ({ path }) => ({
            path: isBuiltin(path) ? path : import.meta.resolve(path),
            external: true,
          }));
        },
      },
    ],
  });
  // esbuild compiles in a process of its own: not kept for the server's life once done.
  const result = await built.finally(() => esbuild.stop());
  const js = result.outputFiles[0]?.contents;
  if (!js) throw new Error("bundling the render worker produced nothing");
  return new URL(`data:text/javascript;base64,${Buffer.from(js).toString("base64")}`);
}
