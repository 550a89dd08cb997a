import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RotatingCodes } from "../../server/invitations/rotating-codes.js";

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

/** Counts the HMACs it computes: a forged code must cost at most one. */
class CountingCodes extends RotatingCodes {
  macs = 0;
  protected override mac(invitationId: number, nonce: string, periodSeconds: number, window: number): string {
    this.macs++;
    return super.mac(invitationId, nonce, periodSeconds, window);
  }
}

describe("checking a rotating code", () => {
  const t0 = 1_800_000_000_000;

  it("costs at most one HMAC for a forged code of the right shape, whatever its window (it cost up to 4,320 at a 5 s period)", () => {
    const counting = new CountingCodes("x".repeat(48));
    const window = Math.floor(t0 / 20_000);
    for (const w of [window, window - 1, window - 2, window - 500, window - 5000, window + 1, 0]) {
      const forged = counting.parse(`k7.k.${w.toString(36)}.${"f".repeat(22)}`);
      assert.ok(forged);
      counting.macs = 0;
      assert.equal(counting.check(forged, NONCE, t0), null);
      assert.ok(counting.macs <= 1, `window ${w}: ${counting.macs} HMACs`);
    }
  });

  it("computes none for a window in the future or too old to recognise", () => {
    const counting = new CountingCodes("x".repeat(48));
    const window = Math.floor(t0 / 5_000);
    for (const w of [window + 1, window + 1000, window - 5001, 0]) {
      const parsed = counting.parse(`k7.5.${w.toString(36)}.${"f".repeat(22)}`);
      assert.ok(parsed);
      assert.equal(counting.plausible(parsed, t0), false);
      counting.macs = 0;
      assert.equal(counting.check(parsed, NONCE, t0), null);
      assert.equal(counting.macs, 0);
    }
  });

  it("binds the window: a real code's MAC under another window is refused", () => {
    const { token } = codes.code(7, NONCE, 20, t0);
    const [id, period, window, mac] = token.split(".") as [string, string, string, string];
    const moved = codes.parse(`${id}.${period}.${(Number.parseInt(window, 36) + 1).toString(36)}.${mac}`);
    assert.ok(moved);
    assert.equal(codes.check(moved, NONCE, t0 + 20_000), null);
  });
});
