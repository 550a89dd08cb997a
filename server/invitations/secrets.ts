import { createHmac } from "node:crypto";
import { digest, newSecret } from "../core/tokens.js";

// No 0/O, 1/I/L: a code typed from paper is read unambiguously.
const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const CODE_LENGTH = 8;

/**
 * The secrets of an invitation, derived from a random nonce with the server's key: the
 * database keeps the nonce and the digests, never a usable link or code, and the server
 * can still show the same link again.
 */
export class InvitationSecrets {
  constructor(private secretKey: string) {}

  newNonce(): string {
    return newSecret(16);
  }

  /** 256 bits, URL-safe: the `/i/<token>` of the personal link. */
  token(nonce: string): string {
    return createHmac("sha256", this.secretKey).update(`invite-link:${nonce}`).digest("base64url");
  }

  /** 8 characters from a 31-letter alphabet (about 40 bits), shown as ABCD-EFGH. */
  code(nonce: string): string {
    const bytes = createHmac("sha256", this.secretKey).update(`invite-code:${nonce}`).digest();
    let code = "";
    for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[(bytes[i] as number) % CODE_ALPHABET.length];
    return `${code.slice(0, 4)}-${code.slice(4)}`;
  }

  tokenHash(token: string): string {
    return digest(`link:${token}`);
  }

  /** The digest of a code as typed: case, spaces and dashes do not matter. */
  codeHash(code: string): string {
    return digest(`code:${normalizeCode(code)}`);
  }
}

export const normalizeCode = (code: string): string => code.toUpperCase().replace(/[\s-]+/g, "");
export const looksLikeCode = (s: string): boolean => new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`).test(normalizeCode(s));
