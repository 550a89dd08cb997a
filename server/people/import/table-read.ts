import { type CsvRow, type Delimiter, readHeader, readRows } from "./csv-read.js";
import { readXlsx } from "./xlsx-read.js";

/** What an import file is; the stored upload's name ends in it. */
export type FileFormat = "csv" | "xlsx";
export const formatOf = (filePath: string): FileFormat => (filePath.endsWith(".xlsx") ? "xlsx" : "csv");

export type TableHeader = { format: FileFormat; delimiter: Delimiter | null; headers: string[] };

/** The header line of a stored CSV or .xlsx upload. */
export async function readTableHeader(filePath: string): Promise<TableHeader> {
  if (formatOf(filePath) === "csv") return { format: "csv", ...(await readHeader(filePath)) };
  for await (const r of readXlsx(filePath)) return { format: "xlsx", delimiter: null, headers: r.row.cells };
  throw new Error("unreachable: readXlsx refuses an empty worksheet");
}

/** The data rows of a stored upload, blank ones skipped, with the line numbers the admin sees. */
export async function* readTableRows(filePath: string, header: TableHeader): AsyncGenerator<CsvRow> {
  if (header.format === "csv") {
    yield* readRows(filePath, header.delimiter ?? ",");
    return;
  }
  for await (const r of readXlsx(filePath)) if (!r.header) yield r.row;
}
