/**
 * Runs concurrent calls together. The calls made in one turn of the event loop start a
 * batch at the end of that turn when fewer than `concurrency` batches are running; calls
 * that arrive meanwhile wait and go together in the next one. Under light load nothing waits; under heavy load one round trip to the
 * database serves many callers, which is where a busy server spends its time (each
 * statement costs the Node process far more than the database).
 *
 * `run` answers each item in order: a value, or an Error for that item alone. A thrown
 * error fails the whole batch.
 */
export class Batcher<I, O> {
  private waiting: Array<{ item: I; resolve: (o: O) => void; reject: (e: unknown) => void }> = [];
  private running = 0;
  private scheduled = false;

  constructor(
    private run: (items: I[]) => Promise<Array<O | Error>>,
    private opts: { maxBatch?: number; concurrency?: number } = {},
  ) {}

  call(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      // Not at once: the requests that arrived together are still on their way here, and
      // on SQLite (a synchronous driver) a batch started now would always hold one.
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.pump();
      });
    });
  }

  private pump(): void {
    const concurrency = this.opts.concurrency ?? 1;
    while (this.running < concurrency && this.waiting.length) {
      const batch = this.waiting.splice(0, this.opts.maxBatch ?? 100);
      this.running++;
      this.run(batch.map((b) => b.item))
        .then(
          (outs) => {
            if (outs.length !== batch.length) throw new Error(`batch answered ${outs.length} of ${batch.length} items`);
            batch.forEach((b, i) => {
              const o = outs[i] as O | Error;
              if (o instanceof Error) b.reject(o);
              else b.resolve(o);
            });
          },
          (err) => {
            for (const b of batch) b.reject(err);
          },
        )
        .catch((err) => {
          for (const b of batch) b.reject(err);
        })
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }
}
