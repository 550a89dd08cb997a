import type { CoverSheet } from "../letter/cover-sheet.js";

export type { CoverSheet };

/**
 * The letter renderer this module prints with (built by the letters module): one PDF, one
 * letter per person in the given order, an optional cover sheet first, each on a sheet of
 * its own when `twoSided`. It refuses unknown, deactivated and already-active people.
 */
export type LetterRenderer = {
  render(input: { userIds: number[]; paper: "A4" | "Letter"; cover?: CoverSheet; twoSided?: boolean }): Promise<Buffer>;
};
