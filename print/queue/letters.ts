import type { CoverSheet } from "../letter/cover-sheet.js";
import type { LetterEntry } from "../letter/letter-job.js";

export type { CoverSheet, LetterEntry };

/**
 * The letter renderer this module prints with (the letters module's LetterService): one
 * PDF of a job's letters as planned, their people checked and links read by the caller, an
 * optional cover sheet first, each on a sheet of its own when `twoSided`.
 */
export type LetterRenderer = {
  renderPlanned(input: {
    letters: LetterEntry[];
    paper: "A4" | "Letter";
    cover?: CoverSheet;
    twoSided?: boolean;
  }): Promise<Buffer>;
};
