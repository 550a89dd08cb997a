/**
 * The letter renderer this module prints with (built by the letters module): one PDF, one
 * letter per person in the given order, an optional cover sheet first. It refuses unknown,
 * deactivated and already-active people.
 */
export type CoverSheet = {
  title: string;
  printerName: string;
  site: string | null;
  createdAt: Date;
  jobNumber: number;
  jobCount: number;
  people: Array<{ firstName: string; lastName: string; department: string | null; site: string | null }>;
};

export type LetterRenderer = {
  render(input: { userIds: number[]; paper: "A4" | "Letter"; cover?: CoverSheet }): Promise<Buffer>;
};
