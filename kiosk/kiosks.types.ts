import type { RotatingSource } from "../server/invitations/index.js";

type Language = string;

export type Kiosk = {
  id: number;
  name: string;
  site: string | null;
  language: Language;
  /** What the kiosk uses: its own setting or KIOSK_ROTATE_SECONDS. */
  rotateSeconds: number;
  /** Its own setting, null when it follows KIOSK_ROTATE_SECONDS. */
  rotateSecondsSetting: number | null;
  idleMessage: string | null;
  paired: boolean;
  pairedAt: string | null;
  lastSeenAt: string | null;
  createdAt: string;
  /** While an enrolment link is open: until when. */
  enrollExpiresAt: string | null;
};

/** One person on a screen: only the first name and last initial ever leave the server. */
export type ScreenEntry = {
  userId: number;
  label: string;
  firstName: string;
  language: Language;
  shown: boolean;
  expiresAt: number | null;
  welcomeUntil: number | null;
};

export type ScreenState = {
  kiosk: Kiosk;
  tiles: Array<ScreenEntry & { source: RotatingSource | null }>;
  waiting: number;
  /** When this state changes by itself (an entry's time is up, a welcome ends). */
  nextChangeAt: number | null;
};
