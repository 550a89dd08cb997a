import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, loadConfig } from "../../server/core/config.js";

const load = (TRUST_PROXY: string) => loadConfig({ DATA_DIR: "/tmp/invst-config-test", TRUST_PROXY });

describe("TRUST_PROXY", () => {
  it("takes a hop count or the proxies' addresses and subnets", () => {
    assert.equal(load("false").trustProxy, false);
    assert.equal(load("1").trustProxy, 1);
    assert.deepEqual(load("127.0.0.1, 10.0.0.0/8,::1,loopback").trustProxy, ["127.0.0.1", "10.0.0.0/8", "::1", "loopback"]);
  });

  it('refuses "true" (every hop) and addresses that are not, naming the variable', () => {
    assert.throws(
      () => load("true"),
      (err: Error) => err instanceof ConfigError && /TRUST_PROXY: "true" would trust every hop/.test(err.message),
    );
    assert.throws(() => load("10.0.0.0/33"), /TRUST_PROXY: 10\.0\.0\.0\/33 is not an IP address/);
    assert.throws(() => load("proxy.example.com"), /TRUST_PROXY: proxy\.example\.com/);
  });
});
