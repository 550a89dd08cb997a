import { ValidationError } from "../core/errors.js";
import type { JoinChannel } from "./invitations.types.js";

// What `POST /invitations/redeem` accepts. Checked by hand rather than with a zod schema:
// the answer names the first wrong field only (token before channel), as it always has,
// and this is the busiest route.

/** Channels the app may report for a redemption; phone matching has its own endpoint. */
const REDEEM_CHANNELS = ["app", "qr", "code", "link", "kiosk"] as const satisfies readonly JoinChannel[];
const MAX_TOKEN_LENGTH = 300;

/** The token (or code) and the channel of a redeem body; 400 naming `token` or `channel` otherwise. */
export function parseRedeem(body: Record<string, unknown>): { token: string; channel: JoinChannel } {
  return { token: tokenFrom(body.token), channel: channelFrom(body.channel) };
}

/**
 * The secret part of what the app sends: a bare link token, a whole link
 * (`https://host/i/<token>`, query and fragment ignored: its last path segment) or a
 * typed code. The service tells them apart and refuses (404) what is neither.
 */
function tokenFrom(raw: unknown): string {
  if (raw === undefined || raw === null) throw new ValidationError({ token: "is required" });
  if (typeof raw !== "string") throw new ValidationError({ token: "must be a string: the link, its token or the code" });
  const value = raw.trim();
  if (!value) throw new ValidationError({ token: "is required" });
  if (value.length > MAX_TOKEN_LENGTH) throw new ValidationError({ token: `must be at most ${MAX_TOKEN_LENGTH} characters` });
  if (!value.includes("/")) return value;
  const path = value.replace(/[?#].*$/s, "");
  const segment = path.split("/").filter(Boolean).pop() ?? "";
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function channelFrom(raw: unknown): JoinChannel {
  if (raw === undefined) return "app";
  if (typeof raw === "string" && (REDEEM_CHANNELS as readonly string[]).includes(raw)) return raw as JoinChannel;
  throw new ValidationError({ channel: `must be one of ${REDEEM_CHANNELS.join(", ")}` });
}
