import { lookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";
import { type Message, message } from "../message.js";

/**
 * Where a printer or webhook may point. Printers normally sit on the office LAN, so public
 * and private (RFC 1918, IPv6 unique-local, carrier-grade NAT) addresses are fine for them;
 * a webhook goes to another system on the internet, so only public addresses are. Loopback,
 * link-local (169.254.169.254 is the cloud metadata service), unspecified, multicast and
 * reserved addresses reach this machine or its hosting: refused for both unless an admin
 * allows internal addresses (a lab, a receiver on the same host). A CUPS queue is this
 * host's own print server, so loopback is its normal place.
 */
export type AddressUse = "printer" | "cups" | "webhook";

type Kind = "public" | "lan" | "internal";

export function kindOf(address: string): { kind: Kind; range: string } {
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  const range = parsed.range();
  if (range === "unicast") return { kind: "public", range };
  if (range === "private" || range === "uniqueLocal" || range === "carrierGradeNat") return { kind: "lan", range };
  return { kind: "internal", range };
}

function allowed(kind: Kind, use: AddressUse, range: string): boolean {
  if (kind === "public") return true;
  if (use === "webhook") return false;
  if (kind === "lan") return true;
  return use === "cups" && range === "loopback";
}

/** Host names a URL names, without IPv6 brackets. */
const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, "");

export class AddressPolicy {
  constructor(private allowInternal: () => Promise<boolean>) {}

  /**
   * Why this URL's host may not be used (naming the address and what to do), or null. A
   * name is resolved and every address it has must pass; a name that does not resolve
   * passes here (the connection will fail on its own, and is checked again then).
   */
  async refusal(uri: string, use: AddressUse): Promise<string | null> {
    return (await this.refusalMessage(uri, use))?.text ?? null;
  }

  /** The same, as a locale key with its values (errors.json), for pages. */
  async refusalMessage(uri: string, use: AddressUse): Promise<Message | null> {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      return null; // the caller's own validation names a malformed URL
    }
    if (await this.allowInternal()) return null;
    const host = hostOf(url);
    let addresses: string[];
    if (ipaddr.isValid(host)) addresses = [host];
    else {
      try {
        addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
      } catch {
        return null;
      }
    }
    for (const address of addresses) {
      const { kind, range } = kindOf(address);
      if (allowed(kind, use, range)) continue;
      const at = address === host ? address : `${host} → ${address}`;
      // The range's words come from the message itself (an ICU select), in each language.
      return message(use === "webhook" ? "errors:address.webhook" : "errors:address.printer", { range, at });
    }
    return null;
  }
}
