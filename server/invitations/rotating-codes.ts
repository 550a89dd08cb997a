import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Rotating codes: `k<invitation id>.<period>.<mac>` (id and period in base 36), where the
 * MAC (132 bits) binds the invitation's id and nonce, the period and the time window under
 * SECRET_KEY. Nothing is stored: the server derives the code of any window again. A code is
 * accepted in its own window and the one before; regenerating or revoking the invitation
 * stops its codes with it, because the service checks the invitation's state.
 */
const FORMAT = /^k([0-9a-z]{1,10})\.([0-9a-z]{1,4})\.([\w-]{22})$/;

export const MIN_PERIOD_SECONDS = 5;
export const MAX_PERIOD_SECONDS = 3600;
/** How far back a code is still recognised as a real, stale one (410) rather than unknown (404). */
const STALE_HORIZON_MS = 6 * 60 * 60 * 1000;

export type RotatingCode = {
  token: string;
  /** Start of the window after this one: when the screen should show the next code. */
  rotatesAt: number;
  window: number;
};

export type ParsedRotatingCode = { invitationId: number; periodSeconds: number; mac: string };

export class RotatingCodes {
  constructor(private secretKey: string) {}

  code(invitationId: number, nonce: string, periodSeconds: number, now: number): RotatingCode {
    const periodMs = periodSeconds * 1000;
    const window = Math.floor(now / periodMs);
    const token = `k${invitationId.toString(36)}.${periodSeconds.toString(36)}.${this.mac(invitationId, nonce, periodSeconds, window)}`;
    return { token, rotatesAt: (window + 1) * periodMs, window };
  }

  parse(value: string): ParsedRotatingCode | null {
    const m = FORMAT.exec(value);
    if (!m) return null;
    const invitationId = Number.parseInt(m[1] as string, 36);
    const periodSeconds = Number.parseInt(m[2] as string, 36);
    if (!Number.isSafeInteger(invitationId) || periodSeconds < MIN_PERIOD_SECONDS || periodSeconds > MAX_PERIOD_SECONDS)
      return null;
    return { invitationId, periodSeconds, mac: m[3] as string };
  }

  /** "current" in its own or the previous window, "stale" when older, null when forged. */
  check(parsed: ParsedRotatingCode, nonce: string, now: number): "current" | "stale" | null {
    const window = Math.floor(now / (parsed.periodSeconds * 1000));
    const given = Buffer.from(parsed.mac);
    const matches = (w: number) => {
      const expected = Buffer.from(this.mac(parsed.invitationId, nonce, parsed.periodSeconds, w));
      return expected.length === given.length && timingSafeEqual(expected, given);
    };
    if (matches(window) || matches(window - 1)) return "current";
    const horizon = Math.min(Math.ceil(STALE_HORIZON_MS / (parsed.periodSeconds * 1000)), 5000);
    for (let w = window - 2; w >= window - horizon; w--) if (matches(w)) return "stale";
    return null;
  }

  private mac(invitationId: number, nonce: string, periodSeconds: number, window: number): string {
    return createHmac("sha256", this.secretKey)
      .update(`kiosk-code:${invitationId}:${nonce}:${periodSeconds}:${window}`)
      .digest("base64url")
      .slice(0, 22);
  }
}
