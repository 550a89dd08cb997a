import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Batcher } from "../../server/core/db/batcher.js";

/** A batch function that records the batches it was given and answers each item by `answer`. */
function recording<I, O>(answer: (item: I) => O | Error, gate?: Promise<void>) {
  const batches: I[][] = [];
  const run = async (items: I[]) => {
    batches.push(items);
    await gate;
    return items.map(answer);
  };
  return { batches, run };
}

describe("the batcher", () => {
  it("answers calls made together in one batch, each with its own answer, in order", async () => {
    const { batches, run } = recording((n: number) => n * 10);
    const batcher = new Batcher(run);
    const answers = await Promise.all([1, 2, 3].map((n) => batcher.call(n)));
    assert.deepEqual(answers, [10, 20, 30]);
    assert.deepEqual(batches, [[1, 2, 3]]);
  });

  it("sends calls that arrive while a batch runs together in the next one", async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const { batches, run } = recording((n: number) => n, gate);
    const batcher = new Batcher(run);
    const first = batcher.call(1);
    await new Promise((r) => setImmediate(r));
    const later = [batcher.call(2), batcher.call(3), batcher.call(4)];
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(batches, [[1]], "the later calls wait for the running batch (concurrency 1)");
    open();
    assert.deepEqual(await Promise.all([first, ...later]), [1, 2, 3, 4]);
    assert.deepEqual(batches, [[1], [2, 3, 4]]);
  });

  it("never puts more than maxBatch items in one batch", async () => {
    const { batches, run } = recording((n: number) => n);
    const batcher = new Batcher(run, { maxBatch: 4, concurrency: 3 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => batcher.call(i)));
    assert.deepEqual(
      batches.map((b) => b.length),
      [4, 4, 2],
    );
  });

  it("fails only the item answered with an Error, and every item of a batch that throws", async () => {
    const batcher = new Batcher(async (items: number[]) => items.map((n) => (n === 2 ? new Error("two is refused") : n)));
    const results = await Promise.allSettled([1, 2, 3].map((n) => batcher.call(n)));
    assert.deepEqual(
      results.map((r) => r.status),
      ["fulfilled", "rejected", "fulfilled"],
    );
    assert.match(String((results[1] as PromiseRejectedResult).reason), /two is refused/);

    const broken = new Batcher(async (_items: number[]): Promise<number[]> => {
      throw new Error("database gone");
    });
    const all = await Promise.allSettled([1, 2].map((n) => broken.call(n)));
    assert.ok(all.every((r) => r.status === "rejected" && /database gone/.test(String(r.reason))));
  });

  it("refuses a batch that answers a different number of items, and keeps working after", async () => {
    let short = true;
    const batcher = new Batcher(async (items: number[]) => (short ? items.slice(1) : items));
    const results = await Promise.allSettled([1, 2].map((n) => batcher.call(n)));
    assert.ok(results.every((r) => r.status === "rejected" && /answered 1 of 2 items/.test(String(r.reason))));
    short = false;
    assert.equal(await batcher.call(5), 5);
  });
});
