/** See qr-runs.mjs. */
export function qrRuns(text: string, level: "M" | "Q" | "H"): { size: number; runs: Int32Array };
