import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * Encrypts small secrets the server must read back later (a webhook's signing secret, an
 * SMS code waiting in the outbox): AES-256-GCM with a key derived from SECRET_KEY and a
 * purpose, so that each use has its own key. Output: base64url of iv | tag | ciphertext.
 */
export class Sealer {
  private readonly key: Buffer;

  constructor(secretKey: string, purpose: string) {
    this.key = createHash("sha256").update(`${purpose}:${secretKey}`).digest();
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), data]).toString("base64url");
  }

  unseal(sealed: string): string {
    const raw = Buffer.from(sealed, "base64url");
    const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  }
}
