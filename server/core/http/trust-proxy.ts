import { isIP } from "node:net";

/**
 * What Express's "trust proxy" gets: false (the peer is the client), a hop count, or the
 * addresses/subnets of the proxies. Never `true`: behind a proxy that appends to
 * X-Forwarded-For, trusting every hop lets a client name its own address.
 */
export type TrustProxy = false | number | string[];

const NAMED = new Set(["loopback", "linklocal", "uniquelocal"]);

function validEntry(entry: string): boolean {
  if (NAMED.has(entry)) return true;
  const [address, bits, extra] = entry.split("/");
  if (extra !== undefined || !address) return false;
  const family = isIP(address);
  if (!family) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/** Parses TRUST_PROXY; returns the setting or the message that names what is wrong. */
export function parseTrustProxy(raw: string | undefined): { value: TrustProxy } | { error: string } {
  const v = (raw ?? "").trim();
  if (v === "" || v === "false" || v === "0") return { value: false };
  if (v === "true") {
    return {
      error:
        '"true" would trust every hop of X-Forwarded-For, so a client could pick its own address; give the number of proxies in front (e.g. 1) or their addresses (e.g. 127.0.0.1 or 10.0.0.0/8)',
    };
  }
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops > 10) return { error: "must be a number of proxies between 0 and 10, or their addresses" };
    return { value: hops };
  }
  const entries = v
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  const bad = entries.filter((e) => !validEntry(e));
  if (bad.length || !entries.length) {
    return {
      error: `${bad.join(", ") || "(empty)"} is not an IP address, a subnet (10.0.0.0/8) or one of loopback, linklocal, uniquelocal`,
    };
  }
  return { value: entries };
}
