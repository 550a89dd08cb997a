import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Rotating codes: `k<invitation id>.<period>.<window>.<mac>` (numbers in base 36), where the
 * MAC (132 bits) binds the invitation's id and nonce, the period and the time window under
 * SECRET_KEY. Nothing is stored: the server derives the code of any window again. A code is
 * accepted in its own window and the one before; regenerating or revoking the invitation
 * stops its codes with it, because the service checks the invitation's state.
 *
 * The code names its window, so checking one costs at most one HMAC, and none for a window
 * that is in the future or too old to be told apart from a forged one.
 */
const FORMAT = /^k([0-9a-z]{1,10})\.([0-9a-z]{1,4})\.([0-9a-z]{1,10})\.([\w-]{22})$/;

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

export type ParsedRotatingCode = { invitationId: number; periodSeconds: number; window: number; mac: string };

export class RotatingCodes {
  constructor(private secretKey: string) {}

  code(invitationId: number, nonce: string, periodSeconds: number, now: number): RotatingCode {
    const periodMs = periodSeconds * 1000;
    const window = Math.floor(now / periodMs);
    const token = `k${invitationId.toString(36)}.${periodSeconds.toString(36)}.${window.toString(36)}.${this.mac(invitationId, nonce, periodSeconds, window)}`;
    return { token, rotatesAt: (window + 1) * periodMs, window };
  }

  parse(value: string): ParsedRotatingCode | null {
    const m = FORMAT.exec(value);
    if (!m) return null;
    const invitationId = Number.parseInt(m[1] as string, 36);
    const periodSeconds = Number.parseInt(m[2] as string, 36);
    const window = Number.parseInt(m[3] as string, 36);
    if (
      !Number.isSafeInteger(invitationId) ||
      !Number.isSafeInteger(window) ||
      periodSeconds < MIN_PERIOD_SECONDS ||
      periodSeconds > MAX_PERIOD_SECONDS
    )
      return null;
    return { invitationId, periodSeconds, window, mac: m[4] as string };
  }

  /** Whether the code is one of a window the server could still tell apart from a forged one. */
  plausible(parsed: ParsedRotatingCode, now: number): boolean {
    const current = Math.floor(now / (parsed.periodSeconds * 1000));
    return parsed.window <= current && parsed.window >= current - horizon(parsed.periodSeconds);
  }

  /** "current" in its own or the previous window, "stale" when older, null when forged: one HMAC at most. */
  check(parsed: ParsedRotatingCode, nonce: string, now: number): "current" | "stale" | null {
    if (!this.plausible(parsed, now)) return null;
    const expected = Buffer.from(this.mac(parsed.invitationId, nonce, parsed.periodSeconds, parsed.window));
    const given = Buffer.from(parsed.mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    return parsed.window >= Math.floor(now / (parsed.periodSeconds * 1000)) - 1 ? "current" : "stale";
  }

  protected mac(invitationId: number, nonce: string, periodSeconds: number, window: number): string {
    return createHmac("sha256", this.secretKey)
      .update(`kiosk-code:${invitationId}:${nonce}:${periodSeconds}:${window}`)
      .digest("base64url")
      .slice(0, 22);
  }
}

/** How many windows back a code is still recognised as a real, stale one. */
function horizon(periodSeconds: number): number {
  return Math.min(Math.ceil(STALE_HORIZON_MS / (periodSeconds * 1000)), 5000);
}
