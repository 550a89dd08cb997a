/**
 * Who may call: the admin signed in to the pages and the API key of an integration. Every
 * feature's routes guard themselves with these (server/core/http/auth-middleware.ts); the
 * auth feature stores and checks them.
 */
export const ROLES = ["admin", "frontdesk"] as const;
export type Role = (typeof ROLES)[number];

export type Admin = {
  id: number;
  email: string;
  name: string;
  role: Role;
  createdAt: string;
  disabledAt: string | null;
  /** The admin pages' language; null follows the organization's default language. */
  language: string | null;
};

/** What an API key may do. Later capabilities add their scope here. */
export const SCOPES = ["users", "groups", "invitations", "registrations", "kiosks", "printers"] as const;
export type Scope = (typeof SCOPES)[number];

export type ApiKey = {
  id: number;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
};

/** Finds the admin of a session cookie (the auth feature's session store). */
export type SessionLookup = {
  load(sessionId: string): Promise<{ idHash: string; admin: Admin } | undefined>;
  /** Of these session digests, those still valid (live pages drop the others). */
  stillValid(idHashes: string[]): Promise<Set<string>>;
};

/** Finds the API key of a bearer secret (the auth feature's key store). */
export type ApiKeyLookup = { authenticate(secret: string): Promise<ApiKey | undefined> };
