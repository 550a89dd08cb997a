import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvitationSecrets, looksLikeCode, normalizeCode } from "../../server/invitations/secrets.js";

/**
 * The secrets of an invitation (server/invitations/secrets.ts), without a database: what a
 * link token and a typed code look like, what is stored of them, and how what a person
 * types or scans is checked against what is stored. Expiry, single use and revocation are
 * the invitation row's, not the secrets': the service checks them (invitations.test.ts).
 */
const KEY = "k".repeat(48);
const secrets = new InvitationSecrets(KEY);
const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const CODE_FORMAT = new RegExp(`^[${CODE_ALPHABET}]{4}-[${CODE_ALPHABET}]{4}$`);

describe("invitation secrets", () => {
  describe("what they look like", () => {
    it("a nonce is 128 random bits, URL-safe, new every time", () => {
      const nonces = new Set(Array.from({ length: 1000 }, () => secrets.newNonce()));
      assert.equal(nonces.size, 1000);
      for (const nonce of nonces) {
        assert.match(nonce, /^[\w-]{22}$/);
        assert.equal(Buffer.from(nonce, "base64url").length, 16);
      }
    });

    it("a link token is 256 bits, URL-safe (43 characters), the same for the same nonce and key", () => {
      const nonce = secrets.newNonce();
      const token = secrets.token(nonce);
      assert.match(token, /^[\w-]{43}$/);
      assert.equal(Buffer.from(token, "base64url").length, 32);
      assert.equal(secrets.token(nonce), token, "the link can be shown again");
      assert.equal(new InvitationSecrets(KEY).token(nonce), token, "another process with the same key");
    });

    it("a typed code is ABCD-EFGH from an alphabet without 0/O or 1/I/L", () => {
      for (let i = 0; i < 500; i++) {
        const code = secrets.code(secrets.newNonce());
        assert.match(code, CODE_FORMAT);
        assert.doesNotMatch(code, /[01OIL]/);
      }
    });

    it("token and code depend on the nonce and on the server's key, and differ from each other", () => {
      const nonce = secrets.newNonce();
      const other = new InvitationSecrets("o".repeat(48));
      assert.notEqual(secrets.token(secrets.newNonce()), secrets.token(nonce), "another nonce (a regenerated link)");
      assert.notEqual(other.token(nonce), secrets.token(nonce), "another SECRET_KEY");
      assert.notEqual(other.code(nonce), secrets.code(nonce));
      assert.ok(!secrets.token(nonce).includes(nonce), "the token does not carry the nonce");
    });

    // A byte modulo 31 favours the first 8 letters by 9 to 8: the code keeps about 40 bits.
    it("codes spread over the whole alphabet, no letter much more often than another", () => {
      const counts = new Map<string, number>();
      const n = 4000;
      for (let i = 0; i < n; i++)
        for (const c of secrets.code(secrets.newNonce()).replace("-", "")) counts.set(c, (counts.get(c) ?? 0) + 1);
      assert.equal(counts.size, CODE_ALPHABET.length);
      const expected = (n * 8) / CODE_ALPHABET.length;
      for (const [c, count] of counts) assert.ok(Math.abs(count - expected) < expected * 0.25, `${c}: ${count}`);
    });
  });

  describe("what is stored", () => {
    it("only digests: 64 hex characters, never equal to (nor containing) the token, the code or the nonce", () => {
      for (let i = 0; i < 200; i++) {
        const nonce = secrets.newNonce();
        const token = secrets.token(nonce);
        const code = secrets.code(nonce);
        const stored = [secrets.tokenHash(token), secrets.codeHash(code)];
        for (const hash of stored) {
          assert.match(hash, /^[0-9a-f]{64}$/);
          for (const secret of [token, code, normalizeCode(code), nonce]) {
            assert.notEqual(hash, secret);
            assert.ok(!hash.includes(secret));
          }
        }
        assert.notEqual(stored[0], stored[1]);
      }
    });

    it("a token and a code with the same text have different digests (link and code are told apart)", () => {
      assert.notEqual(secrets.tokenHash("ABCDEFGH"), secrets.codeHash("ABCDEFGH"));
    });

    it("the digests do not depend on the key: the nonce is what the key guards", () => {
      // The database holds the nonce and the digests; without SECRET_KEY the nonce gives
      // neither the token nor the code, so the digests need no key of their own.
      const token = secrets.token(secrets.newNonce());
      assert.equal(new InvitationSecrets("o".repeat(48)).tokenHash(token), secrets.tokenHash(token));
    });
  });

  describe("checking what a person gives", () => {
    const nonce = secrets.newNonce();
    const token = secrets.token(nonce);
    const code = secrets.code(nonce);
    const storedToken = secrets.tokenHash(token);
    const storedCode = secrets.codeHash(code);

    it("the right token and the code as typed (any case, spaces or dashes) match what is stored", () => {
      assert.equal(secrets.tokenHash(token), storedToken);
      for (const typed of [code, code.toLowerCase(), code.replace("-", ""), ` ${code.slice(0, 4)} ${code.slice(5)} `]) {
        assert.equal(secrets.codeHash(typed), storedCode, typed);
      }
    });

    it("a wrong token or code does not, not even one character off", () => {
      const flip = (s: string, i: number, alphabet: string) => {
        const c = s[i] as string;
        return `${s.slice(0, i)}${alphabet[(alphabet.indexOf(c) + 1) % alphabet.length]}${s.slice(i + 1)}`;
      };
      const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      for (const i of [0, 21, 42]) assert.notEqual(secrets.tokenHash(flip(token, i, B64)), storedToken);
      assert.notEqual(secrets.tokenHash(token.toUpperCase()), storedToken, "a token is case-sensitive");
      assert.notEqual(secrets.tokenHash(`${token} `), storedToken);
      for (const i of [0, 3, 5, 8]) assert.notEqual(secrets.codeHash(flip(code, i, CODE_ALPHABET)), storedCode);
      assert.notEqual(secrets.codeHash(token), storedCode, "the link is not the code");
      assert.notEqual(secrets.tokenHash(code), storedToken, "the code is not the link");
    });

    it("a regenerated invitation's secrets do not match the old ones (a new nonce)", () => {
      const fresh = secrets.newNonce();
      assert.notEqual(secrets.tokenHash(secrets.token(fresh)), storedToken);
      assert.notEqual(secrets.codeHash(secrets.code(fresh)), storedCode);
    });

    it("a token made with another key does not match", () => {
      const forged = new InvitationSecrets("o".repeat(48)).token(nonce);
      assert.notEqual(secrets.tokenHash(forged), storedToken);
    });
  });

  describe("telling a typed code from anything else", () => {
    it("takes 8 letters of the alphabet, in any case, with spaces and dashes", () => {
      assert.equal(normalizeCode(" abcd-efgh "), "ABCDEFGH");
      assert.equal(normalizeCode("ab cd\tef-gh"), "ABCDEFGH");
      for (const s of ["ABCD-EFGH", "abcdefgh", "abcd efgh", "ABCD--EFGH", secrets.code(secrets.newNonce())]) {
        assert.ok(looksLikeCode(s), s);
      }
    });

    it("refuses ambiguous letters, wrong lengths and other characters", () => {
      for (const s of [
        "ABCD-EFG0",
        "ABCD-EFGO",
        "ABCD-EFG1",
        "ABCD-EFGI",
        "ABCD-EFGL",
        "ABCD-EFG",
        "ABCD-EFGHJ",
        "ABCD_EFGH",
        "",
        "--------",
      ]) {
        assert.equal(looksLikeCode(s), false, s);
      }
      assert.equal(looksLikeCode(secrets.token(secrets.newNonce())), false, "a link token is not a code");
    });
  });
});
