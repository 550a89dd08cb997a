/** The paper sizes a printer or site may use, in PDF points (1/72 inch). */
export const PAPER_SIZES = ["A4", "Letter"] as const;
export type Paper = (typeof PAPER_SIZES)[number];

export const PAPER: Record<Paper, { width: number; height: number; pdfkit: string }> = {
  A4: { width: 595.28, height: 841.89, pdfkit: "A4" },
  Letter: { width: 612, height: 792, pdfkit: "LETTER" },
};

export const MM = 72 / 25.4;

export function isPaper(value: unknown): value is Paper {
  return typeof value === "string" && (PAPER_SIZES as readonly string[]).includes(value);
}
