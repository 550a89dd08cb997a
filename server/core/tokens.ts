import { createHash, randomBytes } from "node:crypto";

/** A fresh secret with `bytes` of randomness, URL-safe. */
export const newSecret = (bytes = 32): string => randomBytes(bytes).toString("base64url");

/** Secrets (session ids, API keys, setup links) are stored only as this digest. */
export const digest = (secret: string): string => createHash("sha256").update(secret).digest("hex");
