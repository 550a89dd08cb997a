import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { parse } from "csv-parse";
import { parse as parseSync } from "csv-parse/sync";
import { PayloadTooLargeError, ValidationError } from "../../core/errors.js";
import { type Message, message } from "../../core/message.js";

/** Limits of one import file; beyond them the file is refused as a whole, before any row is looked at. */
export const MAX_BYTES = 10 * 1024 * 1024;
export const MAX_ROWS = 50_000;
// A record longer than this is not a person: most likely an unclosed quote swallowing the file.
const MAX_RECORD_BYTES = 64 * 1024;
const HEADER_PREFIX_BYTES = 64 * 1024;

export type Delimiter = "," | ";";

/**
 * A file that cannot be imported as a whole. `reason` is a short category without any of
 * the file's content, fit for the audit log; the message tells the admin what to do.
 */
export class FileRefusedError extends ValidationError {
  constructor(
    readonly reason: string,
    /** What the admin is told (an import refused by its check keeps it, to say it in the reader's language). */
    readonly wording: Message,
  ) {
    super({ file: wording }, "The file was refused.");
  }
}

/** A refusal worded by `imports:refused.<key>`. */
export const refused = (reason: string, key: string, values?: Record<string, unknown>) =>
  new FileRefusedError(reason, message(`imports:refused.${key}`, values));
export const tooLarge = () =>
  new PayloadTooLargeError(message("imports:refused.tooLarge", { mb: MAX_BYTES / 1024 / 1024, max: MAX_ROWS }));

/**
 * Reads the header line: strips a UTF-8 BOM, refuses what is plainly not a CSV (a
 * workbook, UTF-16), and picks the delimiter by counting `;` and `,` outside quotes on
 * that line (Spanish spreadsheets export semicolons).
 */
export async function readHeader(filePath: string): Promise<{ delimiter: Delimiter; headers: string[] }> {
  const handle = await open(filePath, "r");
  let buf: Buffer;
  try {
    const chunk = Buffer.alloc(HEADER_PREFIX_BYTES);
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, 0);
    buf = chunk.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  if (buf.length >= 4 && buf.readUInt32BE(0) === 0x504b0304) {
    throw refused("not a CSV file", "zipNotCsv");
  }
  if (buf.length >= 2 && (buf.readUInt16BE(0) === 0xfffe || buf.readUInt16BE(0) === 0xfeff)) {
    throw refused("not UTF-8", "utf16");
  }
  let text = new TextDecoder("utf-8").decode(buf); // strips the BOM
  if (!text.trim()) throw refused("empty file", "empty");
  const end = headerEnd(text);
  if (end < 0 && buf.length === HEADER_PREFIX_BYTES) throw refused("no header line", "headerTooLong");
  text = end < 0 ? text : text.slice(0, end);
  let semicolons = 0;
  let commas = 0;
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === ";") semicolons++;
    else if (!quoted && ch === ",") commas++;
  }
  const delimiter: Delimiter = semicolons > commas ? ";" : ",";
  let headers: string[];
  try {
    headers = (parseSync(text, { delimiter, relax_quotes: true, relax_column_count: true }) as string[][])[0] ?? [];
  } catch (err) {
    throw refused("no header line", "headerUnreadable", { detail: (err as Error).message });
  }
  return { delimiter, headers };
}

/** Index of the first line break outside quotes, or -1. */
function headerEnd(text: string): number {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === "\n" || ch === "\r")) return i;
  }
  return -1;
}

export type CsvRow = {
  /** The row as a spreadsheet numbers it: the header is line 1, blank rows count. */
  line: number;
  /** 0-based among the data rows that are not blank: the dry run's bitmap index. */
  index: number;
  cells: string[];
};

/**
 * Streams the data rows of a stored file, skipping blank ones (also `;;;;` rows that
 * spreadsheets write for empty lines). More than MAX_ROWS rows, or a CSV syntax error,
 * refuses the whole file: a row count or quote gone wrong makes every later row suspect.
 */
export async function* readRows(filePath: string, delimiter: Delimiter): AsyncGenerator<CsvRow> {
  const parser = createReadStream(filePath, { highWaterMark: 64 * 1024 }).pipe(
    parse({
      bom: true,
      delimiter,
      info: true,
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: false,
      // Files edited on several systems mix line endings.
      record_delimiter: ["\r\n", "\n", "\r"],
      max_record_size: MAX_RECORD_BYTES,
    }),
  );
  let index = 0;
  let header = true;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { records: number } }>) {
      if (header) {
        header = false;
        continue;
      }
      if (record.every((c) => c.trim() === "")) continue;
      if (index >= MAX_ROWS) {
        throw refused(`more than ${MAX_ROWS} rows`, "tooManyRows", { max: MAX_ROWS, line: info.records, row: index + 1 });
      }
      yield { line: info.records, index: index++, cells: record };
    }
  } catch (err) {
    if (err instanceof FileRefusedError) throw err;
    const e = err as { code?: string; message?: string; lines?: number };
    if (typeof e.code === "string" && e.code.startsWith("CSV_")) {
      const quote = e.code === "CSV_QUOTE_NOT_CLOSED" || e.code === "CSV_MAX_RECORD_SIZE";
      throw refused("not valid CSV", quote ? "unclosedQuote" : "notValidCsv", {
        line: e.lines ?? "?",
        detail: e.message?.replace(/^[^:]*:\s*/, ""),
      });
    }
    throw err;
  } finally {
    parser.destroy();
  }
}
