/**
 * SMS length rules. A message in the GSM 03.38 alphabet fits 160 characters in one SMS (the
 * extension characters count twice); any other character switches the whole message to
 * UCS-2, which fits 70.
 */
const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENDED = "^{}\\[~]|€\f";
const BASIC = new Set(GSM_BASIC);
const EXTENDED = new Set(GSM_EXTENDED);

export type SmsSize = { encoding: "GSM-7" | "UCS-2"; units: number; singleLimit: number; fitsOne: boolean };

export function smsSize(text: string): SmsSize {
  let units = 0;
  for (const ch of text) {
    if (BASIC.has(ch)) units += 1;
    else if (EXTENDED.has(ch)) units += 2;
    else {
      // UTF-16 code units: characters outside the BMP (emoji) take two.
      const ucs2 = text.length;
      return { encoding: "UCS-2", units: ucs2, singleLimit: 70, fitsOne: ucs2 <= 70 };
    }
  }
  return { encoding: "GSM-7", units, singleLimit: 160, fitsOne: units <= 160 };
}

/**
 * The first candidate that fits one SMS; when none does (a name in an alphabet outside
 * GSM-7 can make even the link alone too long for 70), the shortest one.
 */
export function pickSmsText(candidates: string[]): string {
  const fitting = candidates.find((c) => smsSize(c).fitsOne);
  if (fitting !== undefined) return fitting;
  return [...candidates].sort((a, b) => smsSize(a).units - smsSize(b).units)[0] ?? "";
}

/** `text` cut to at most `max` characters, ending in "..." (GSM-7, unlike "…") when cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  if (max <= 3) return chars.slice(0, max).join("");
  return `${chars
    .slice(0, max - 3)
    .join("")
    .trimEnd()}...`;
}
