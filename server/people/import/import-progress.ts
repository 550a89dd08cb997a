import { nowMs } from "../../core/db/convert.js";
import type { WorkQueue } from "../../core/work/work-queue.js";
import { reportProgress } from "./imports.repo.js";

/** Rows checked (and inserted) between two database round trips and progress reports. */
export const CHUNK = 1000;

export type Progress = { phase: "checking" | "importing"; processed: number; total: number };
type Live = Progress & { done: Promise<unknown>; token: string };

/** The run's lease went to another claimer (it found the run silent for too long): this one stops. */
export class ImportTakenOverError extends Error {}

/**
 * The checks and imports running in this process. Their progress lives in memory here and,
 * where the database allows a second connection, in the imports row for other instances.
 */
export class LiveImports {
  private live = new Map<number, Live>();

  constructor(
    private queue: WorkQueue,
    /** How long each report extends the run's lease. */
    private leaseMs: number,
  ) {}

  get(id: number): Progress | undefined {
    return this.live.get(id);
  }

  has(id: number): boolean {
    return this.live.has(id);
  }

  ids(): number[] {
    return [...this.live.keys()];
  }

  async settled(id: number): Promise<void> {
    await this.live.get(id)?.done.catch(() => {});
  }

  /**
   * Runs `work` as this process's live import `id`, held under the claim `token`, so that
   * progress and liveness are known here.
   */
  track<T>(id: number, token: string, phase: Progress["phase"], total: number, work: () => Promise<T>): Promise<T> {
    const live: Live = { phase, processed: 0, total, done: Promise.resolve(), token };
    this.live.set(id, live);
    const done = (async () => {
      try {
        return await work();
      } finally {
        if (this.live.get(id) === live) this.live.delete(id);
      }
    })();
    live.done = done;
    return done;
  }

  /**
   * Reports progress: in memory, to the CLI's counter and, when `heartbeat`, in the imports
   * row for other instances, renewing the run's lease. Throws ImportTakenOverError when the
   * lease has gone to someone else.
   */
  async report(id: number, processed: number, heartbeat: boolean, onProgress?: (p: Progress) => void): Promise<void> {
    const live = this.live.get(id);
    if (live) {
      live.processed = processed;
      live.total = Math.max(live.total, processed);
    }
    if (live) onProgress?.({ phase: live.phase, processed, total: live.total });
    if (heartbeat && live && !(await reportProgress(this.queue, live.token, id, processed, this.leaseMs, nowMs()))) {
      throw new ImportTakenOverError(`Import #${id} was taken over after a silence; this run stops.`);
    }
  }
}
