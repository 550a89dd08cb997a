import { type CsvRow, FileRefusedError, MAX_ROWS, refused } from "./csv-read.js";

/**
 * The text a spreadsheet cell shows, as far as an import needs it: rich text joined,
 * a formula's result, a hyperlink's text, a whole number without ".0" (phones and
 * employee ids are often typed as numbers), a date as YYYY-MM-DD.
 */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number") return Number.isInteger(value) ? value.toFixed(0) : String(value);
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === "object") {
    const v = value as { richText?: Array<{ text: string }>; result?: unknown; text?: unknown; error?: string };
    if (Array.isArray(v.richText)) return v.richText.map((r) => r.text).join("");
    if ("result" in v) return cellText(v.result);
    if ("text" in v) return cellText(v.text);
    if (typeof v.error === "string") return "";
  }
  return String(value);
}

/** A row's cells as text, 0-based (exceljs numbers cells from 1 and leaves gaps for empty ones). */
function rowCells(values: unknown): string[] {
  if (!Array.isArray(values)) return [];
  const cells: string[] = [];
  for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
  return cells;
}

/**
 * Streams the rows of the first worksheet of an .xlsx file (never the whole workbook in
 * memory; shared strings are cached, styles ignored). The first non-blank row is the header
 * line; `line` is the spreadsheet's own row number, so problems point where the admin looks.
 */
export async function* readXlsx(filePath: string): AsyncGenerator<{ header: boolean; row: CsvRow }> {
  // Loaded on the first workbook only: a CSV import does not pay for the library's memory.
  const { default: ExcelJS } = await import("exceljs");
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(filePath, {
    worksheets: "emit",
    sharedStrings: "cache",
    hyperlinks: "ignore",
    styles: "ignore",
    entries: "ignore",
  });
  let index = 0;
  let header = true;
  try {
    for await (const sheet of reader) {
      for await (const row of sheet) {
        const cells = rowCells(row.values);
        if (cells.every((c) => c.trim() === "")) continue;
        if (header) {
          header = false;
          yield { header: true, row: { line: row.number, index: -1, cells } };
          continue;
        }
        if (index >= MAX_ROWS) {
          throw refused(`more than ${MAX_ROWS} rows`, "tooManySheetRows", { max: MAX_ROWS, row: row.number });
        }
        yield { header: false, row: { line: row.number, index: index++, cells } };
      }
      // Only the first worksheet is an import; the others are notes, pivots, lookups.
      break;
    }
  } catch (err) {
    if (err instanceof FileRefusedError) throw err;
    throw refused("not a readable workbook", "notWorkbook");
  }
  if (header) throw refused("empty file", "emptySheet");
}
