import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RotatingCodes } from "../server/invitations/rotating-codes.js";

const codes = new RotatingCodes("x".repeat(48));
const NONCE = "nonce-of-invitation-7";

describe("rotating codes", () => {
  const period = 20;
  const t0 = 1_800_000_000_000;

  it("are accepted in their own window and the one after, then recognised as stale", () => {
    const { token, rotatesAt } = codes.code(7, NONCE, period, t0);
    const parsed = codes.parse(token);
    assert.ok(parsed);
    assert.equal(codes.check(parsed, NONCE, t0), "current");
    assert.equal(codes.check(parsed, NONCE, rotatesAt), "current", "the previous window's code still works");
    assert.equal(codes.check(parsed, NONCE, rotatesAt + period * 1000), "stale", "two windows old: refused");
    assert.equal(codes.check(parsed, NONCE, t0 - period * 1000), null, "a code from the future is not valid");
  });

  it("change every window and are bound to the invitation's nonce", () => {
    const a = codes.code(7, NONCE, period, t0).token;
    const b = codes.code(7, NONCE, period, t0 + period * 1000).token;
    assert.notEqual(a, b);
    const parsed = codes.parse(a);
    assert.ok(parsed);
    assert.equal(codes.check(parsed, "another-nonce", t0), null, "a regenerated invitation's codes differ");
    assert.equal(new RotatingCodes("y".repeat(48)).check(parsed, NONCE, t0), null, "another server key");
  });

  it("refuse forged and malformed codes", () => {
    const token = codes.code(7, NONCE, period, t0).token;
    const forged = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    const parsed = codes.parse(forged);
    assert.ok(parsed);
    assert.equal(codes.check(parsed, NONCE, t0), null);
    assert.equal(codes.parse("k7.k.short"), null);
    assert.equal(codes.parse(`k7.1.${"a".repeat(22)}`), null, "a period under the minimum");
    assert.equal(codes.parse(token.replace(/^k/, "K")), null);
  });
});
