import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, unlink } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { finished } from "node:stream/promises";
import { MAX_BYTES, refused, tooLarge } from "./csv-read.js";
import { preparedPath } from "./prepared-rows.js";

export type StoredUpload = { filePath: string; bytes: number; lineBreaks: number };

const ZIP_SIGNATURE = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/**
 * Streams an uploaded file to `dir` (never whole into memory), with a hard byte cap. A
 * file that starts as a zip archive is kept as an Excel workbook (`.xlsx`, read later);
 * any other is checked on the way to be UTF-8 text (`.csv`). When the file is refused the
 * rest of the source is still read (so that an HTTP client gets its answer rather than a
 * reset connection) and nothing is kept on disk.
 */
export async function storeUpload(source: Readable, dir: string): Promise<StoredUpload> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const base = path.join(dir, `import-${Date.now()}-${randomBytes(8).toString("hex")}`);
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let filePath = "";
  let out: WriteStream | null = null;
  let workbook = false;
  let bytes = 0;
  let lineBreaks = 0;
  let problem: Error | null = null;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (problem) continue; // drain
      if (!out) {
        // The signature is in the first 4 bytes; a first chunk shorter than that is not a workbook.
        workbook = chunk.subarray(0, 4).equals(ZIP_SIGNATURE);
        filePath = `${base}.${workbook ? "xlsx" : "csv"}`;
        // The file holds personal data: readable by the service only.
        out = createWriteStream(filePath, { mode: 0o600 });
      }
      bytes += chunk.length;
      if (bytes > MAX_BYTES) {
        problem = tooLarge();
        continue;
      }
      if (workbook) {
        if (!out.write(chunk)) await once(out, "drain");
        continue;
      }
      try {
        decoder.decode(chunk, { stream: true });
      } catch {
        problem = refused("not UTF-8", "notUtf8");
        continue;
      }
      if (chunk.includes(0)) {
        problem = refused("not a CSV file", "binary");
        continue;
      }
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lineBreaks++;
      if (!out.write(chunk)) await once(out, "drain");
    }
    if (!problem && !workbook) {
      try {
        decoder.decode(); // a multi-byte character cut at the end
      } catch {
        problem = refused("not UTF-8", "cutUtf8");
      }
    }
    if (!problem && bytes === 0) problem = refused("empty file", "empty");
  } catch (err) {
    problem = err as Error;
  }
  if (out) {
    out.end();
    await finished(out).catch((err) => {
      problem ??= err as Error;
    });
  }
  if (problem || !out) {
    if (filePath) await unlink(filePath).catch(() => {});
    throw problem ?? refused("empty file", "empty");
  }
  return { filePath, bytes, lineBreaks };
}

/** Removes an uploaded file and the rows checked from it (both hold personal data), as far as they exist. */
export async function removeUpload(filePath: string): Promise<void> {
  await unlink(preparedPath(filePath)).catch(() => {});
  await unlink(filePath).catch(() => {});
}
