/**
 * When a failed message is tried again. The first delay is OUTBOX_RETRY_SECONDS (default 60)
 * and the later ones grow as multiples of it, so the default schedule is 1 min, 5 min,
 * 30 min, 2 h and 6 h, and a site (or a test) that shortens the first delay shortens all.
 */
const MULTIPLES = [1, 5, 30, 120, 360] as const;

/** One first attempt and one per delay; after the last, the message is failed for good. */
export const MAX_ATTEMPTS = MULTIPLES.length + 1;

/** The delay after attempt number `attempts` (1-based) failed, or null when it was the last. */
export function retryDelayMs(attempts: number, firstDelaySeconds: number): number | null {
  if (attempts >= MAX_ATTEMPTS) return null;
  const multiple = MULTIPLES[Math.max(0, attempts - 1)] ?? MULTIPLES[MULTIPLES.length - 1];
  return firstDelaySeconds * 1000 * (multiple as number);
}
