import assert from "node:assert/strict";
import type { Readable } from "node:stream";
import { describe, it } from "node:test";
import { RenderPool } from "../../print/letter/render-pool.js";
import { warmUpJob } from "../../print/letter/warm-up-sample.js";
import { waitFor } from "../support/notify-app.js";

async function pdfOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A one-letter document of made-up words (nothing else is needed to draw it). */
const oneLetter = () => {
  const job = warmUpJob();
  return { ...job, people: job.people.slice(0, 1) };
};

describe("the render workers' idle time", () => {
  it("lets an idle renderer go after its idle time, and starts a new one for the next document", async () => {
    const pool = new RenderPool(2, 300);
    try {
      const first = await pdfOf(pool.render(oneLetter()));
      assert.equal(first.subarray(0, 5).toString(), "%PDF-");
      assert.equal(pool.size, 1, "kept for the next document");
      await waitFor("the idle renderer to leave", async () => pool.size === 0, 10_000);
      const again = await pdfOf(pool.render(oneLetter()));
      assert.equal(again.subarray(0, 5).toString(), "%PDF-");
      assert.equal(pool.size, 1);
    } finally {
      await pool.stop();
    }
  });

  it("keeps a renderer warmed at start (LETTERS_WARM_UP) past its idle time", async () => {
    const pool = new RenderPool(2, 300);
    try {
      await pool.warm(oneLetter());
      await new Promise((r) => setTimeout(r, 1_000));
      assert.equal(pool.size, 1, "still there");
      const pdf = await pdfOf(pool.render(oneLetter()));
      assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");
      assert.equal(pool.size, 1);
    } finally {
      await pool.stop();
    }
  });
});
