import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { createInterface } from "node:readline";
import { finished } from "node:stream/promises";
import type { PreparedRow } from "./row-check.js";

/**
 * The rows the dry run found valid, one JSON line each, next to the uploaded file. The
 * import reads them back instead of parsing and validating the CSV a second time; it only
 * re-checks them against the database. Mode 0600: it holds personal data.
 */
export const preparedPath = (csvPath: string) => `${csvPath}.checked.ndjson`;

export class PreparedWriter {
  private out;

  constructor(readonly path: string) {
    this.out = createWriteStream(path, { mode: 0o600 });
  }

  async write(rows: PreparedRow[]): Promise<void> {
    if (!rows.length) return;
    let text = "";
    for (const r of rows) text += `${JSON.stringify(r)}\n`;
    if (!this.out.write(text)) await once(this.out, "drain");
  }

  async close(): Promise<void> {
    this.out.end();
    await finished(this.out);
  }

  /** Closes without caring whether it worked: the file is about to be removed. */
  async abandon(): Promise<void> {
    this.out.destroy();
    await finished(this.out).catch(() => {});
  }
}

export async function* readPrepared(path: string): AsyncGenerator<PreparedRow> {
  const lines = createInterface({
    input: createReadStream(path, { encoding: "utf8", highWaterMark: 256 * 1024 }),
    crlfDelay: Infinity,
  });
  try {
    for await (const line of lines) if (line) yield JSON.parse(line) as PreparedRow;
  } finally {
    lines.close();
  }
}
