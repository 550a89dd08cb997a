import type { Knex } from "knex";
import { nowMs } from "../../core/db/convert.js";
import { updateImport } from "./imports.repo.js";

/** Rows checked (and inserted) between two database round trips and progress reports. */
export const CHUNK = 1000;

export type Progress = { phase: "checking" | "importing"; processed: number; total: number };
type Live = Progress & { done: Promise<unknown> };

/**
 * The checks and imports running in this process. Their progress lives in memory here and,
 * where the database allows a second connection, in the imports row for other instances.
 */
export class LiveImports {
  private live = new Map<number, Live>();

  constructor(private db: Knex) {}

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

  /** Runs `work` as this process's live import `id`, so that progress and liveness are known here. */
  track<T>(id: number, phase: Progress["phase"], total: number, work: () => Promise<T>): Promise<T> {
    const live: Live = { phase, processed: 0, total, done: Promise.resolve() };
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

  /** Reports progress: in memory, to the CLI's counter and, when `heartbeat`, in the imports row for other instances. */
  async report(id: number, processed: number, heartbeat: boolean, onProgress?: (p: Progress) => void): Promise<void> {
    const live = this.live.get(id);
    if (live) {
      live.processed = processed;
      live.total = Math.max(live.total, processed);
    }
    if (live) onProgress?.({ phase: live.phase, processed, total: live.total });
    if (heartbeat) await updateImport(this.db, id, { processed_rows: processed, updated_at: nowMs() });
  }
}
