import type { RotatingCode } from "./rotating-codes.js";

/** An invitation's state: only an active one lets its person join. */
export type InvitationState = "active" | "expired" | "revoked" | "used";
/** How a person joined: the dashboard counts each. */
export const JOIN_CHANNELS = ["link", "qr", "code", "kiosk", "phone", "app"] as const;
export type JoinChannel = (typeof JOIN_CHANNELS)[number];

/** What the service shows of an invitation: the link and code to hand over (derived, never stored) and its state. */
export type InvitationView = {
  id: number;
  userId: number;
  url: string;
  token: string;
  code: string;
  state: InvitationState;
  createdAt: string;
  expiresAt: string | null;
  usedAt: string | null;
  usedChannel: string | null;
  revokedAt: string | null;
  revokeReason: string | null;
};

/** `stale`: a rotating (kiosk) code of an older window; scanning the screen again helps. */
export type GoneReason = "expired" | "revoked" | "used" | "deactivated" | "stale";

/** How a link was given: the personal link, the typed code, or a rotating code of a screen. */
export type InvitationVia = "link" | "code" | "kiosk";

/**
 * The rotating codes of one person's invitation, for a screen that shows them window after
 * window without a database round trip. The invitation's nonce stays inside.
 */
export type RotatingSource = {
  invitationId: number;
  userId: number;
  code: (periodSeconds: number, now?: number) => RotatingCode & { url: string };
};
