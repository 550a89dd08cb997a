import { createReadStream } from "node:fs";
import { parse } from "csv-parse";

/** Baseline for the import benchmark: parse the same file and do nothing else. */
let rows = 0;
const parser = createReadStream(process.argv[2] as string).pipe(parse({ delimiter: ";", bom: true, relax_column_count: true }));
for await (const _ of parser) rows++;
process.stdout.write(`${rows - 1} rows\n`);
