import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir, unlink } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { finished } from "node:stream/promises";
import { MAX_BYTES, refused, tooLarge } from "./csv-read.js";
import { preparedPath } from "./prepared-rows.js";

export type StoredUpload = { filePath: string; bytes: number; lineBreaks: number };

/**
 * Streams an uploaded file to `dir` (never whole into memory), with a hard byte cap. It
 * also checks on the way that the content is UTF-8 text. When the file is refused the
 * rest of the source is still read (so that an HTTP client gets its answer rather than a
 * reset connection) and nothing is kept on disk.
 */
export async function storeUpload(source: Readable, dir: string): Promise<StoredUpload> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const filePath = path.join(dir, `import-${Date.now()}-${randomBytes(8).toString("hex")}.csv`);
  // The file holds personal data: readable by the service only.
  const out = createWriteStream(filePath, { mode: 0o600 });
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let bytes = 0;
  let lineBreaks = 0;
  let problem: Error | null = null;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (problem) continue; // drain
      bytes += chunk.length;
      if (bytes > MAX_BYTES) {
        problem = tooLarge();
        continue;
      }
      try {
        decoder.decode(chunk, { stream: true });
      } catch {
        problem = refused(
          "not UTF-8",
          'The file is not UTF-8 text (perhaps saved as "CSV" in a Windows encoding, or not a CSV at all). In Excel use "Save As" → "CSV UTF-8 (comma delimited)"; in LibreOffice choose the character set "Unicode (UTF-8)".',
        );
        continue;
      }
      if (chunk.includes(0)) {
        problem = refused("not a CSV file", "The file contains binary data; it is not a CSV text file.");
        continue;
      }
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lineBreaks++;
      if (!out.write(chunk)) await once(out, "drain");
    }
    if (!problem) {
      try {
        decoder.decode(); // a multi-byte character cut at the end
      } catch {
        problem = refused("not UTF-8", "The file ends in the middle of a character: it is not complete UTF-8 text.");
      }
    }
    if (!problem && bytes === 0) problem = refused("empty file", "The file is empty.");
  } catch (err) {
    problem = err as Error;
  }
  out.end();
  await finished(out).catch((err) => {
    problem ??= err as Error;
  });
  if (problem) {
    await unlink(filePath).catch(() => {});
    throw problem;
  }
  return { filePath, bytes, lineBreaks };
}

/** Removes an uploaded file and the rows checked from it (both hold personal data), as far as they exist. */
export async function removeUpload(filePath: string): Promise<void> {
  await unlink(preparedPath(filePath)).catch(() => {});
  await unlink(filePath).catch(() => {});
}
