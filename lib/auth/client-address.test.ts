// The client address the login throttle keys on (review-8 F6): a trusted proxy's word,
// never a header from a client that connected directly.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clientAddress, DEFAULT_TRUSTED_PROXIES, isTrustedProxy, plainAddress, type ProxyHeader } from "./client-address";

const LOOPBACK_ONLY = DEFAULT_TRUSTED_PROXIES;

describe("clientAddress", () => {
  const cases: [what: string, peer: string, headers: Record<string, string>, trusted: readonly string[], expected: string][] = [
    ["a proxy on this machine names the client", "127.0.0.1", { "x-forwarded-for": "203.0.113.9" }, LOOPBACK_ONLY, "203.0.113.9"],
    ["over IPv4-mapped IPv6 too", "::ffff:127.0.0.1", { "x-forwarded-for": "203.0.113.9" }, LOOPBACK_ONLY, "203.0.113.9"],
    ["RFC 7239 Forwarded, IPv6 in brackets with a port", "::1", { forwarded: 'for="[2001:db8::7]:4711";proto=https' }, LOOPBACK_ONLY, "2001:db8::7"],
    ["Forwarded with an IPv4 and port", "127.0.0.1", { forwarded: "for=198.51.100.4:5000" }, LOOPBACK_ONLY, "198.51.100.4"],
    // The left of the chain is what the client wrote: the nearest untrusted hop is the client.
    ["a client's own X-Forwarded-For is not believed past the proxy", "127.0.0.1", { "x-forwarded-for": "10.9.9.9, 203.0.113.9" }, LOOPBACK_ONLY, "203.0.113.9"],
    ["two trusted proxies in a row", "127.0.0.1", { "x-forwarded-for": "203.0.113.9, 192.168.1.2" }, ["loopback", "192.168.1.2"], "203.0.113.9"],
    ["a direct client's header is ignored", "192.168.1.50", { "x-forwarded-for": "203.0.113.9" }, LOOPBACK_ONLY, "192.168.1.50"],
    ["a proxy on another machine, not declared, is the address", "192.168.1.2", { "x-forwarded-for": "203.0.113.9" }, LOOPBACK_ONLY, "192.168.1.2"],
    ["declared, it is believed", "192.168.1.2", { "x-forwarded-for": "203.0.113.9" }, ["192.168.1.2"], "203.0.113.9"],
    ["no proxy trusted: the peer", "127.0.0.1", { "x-forwarded-for": "203.0.113.9" }, [], "127.0.0.1"],
    ["a local program without a header: itself", "127.0.0.1", {}, LOOPBACK_ONLY, "127.0.0.1"],
  ];
  for (const [what, peer, headers, trusted, expected] of cases) {
    it(what, () => assert.equal(clientAddress(peer, headers, trusted), expected));
  }
});

// auth.proxyHeader names the one header the trusted proxy writes (review-9 F2 addendum). The
// client at 203.0.113.9 writes the other header itself, hoping to pick its throttle key.
describe("clientAddress with auth.proxyHeader", () => {
  const forgedXff = { "x-forwarded-for": "10.9.9.9", forwarded: "for=203.0.113.9" };
  const forgedForwarded = { "x-forwarded-for": "203.0.113.9", forwarded: "for=10.9.9.9" };
  const cases: [what: string, headers: Record<string, string>, header: ProxyHeader, expected: string][] = [
    ["auto, behind a Forwarded-only proxy: the client's own X-Forwarded-For wins (why the setting exists)", forgedXff, "auto", "10.9.9.9"],
    ["forwarded: a Forwarded-only proxy's word, the client's X-Forwarded-For ignored", forgedXff, "forwarded", "203.0.113.9"],
    ["x-forwarded-for: an X-Forwarded-For proxy's word, a forged Forwarded ignored", forgedForwarded, "x-forwarded-for", "203.0.113.9"],
    ["auto, behind an X-Forwarded-For proxy: a forged Forwarded moves nothing", forgedForwarded, "auto", "203.0.113.9"],
    ["x-forwarded-for, the proxy named nobody: the proxy itself, never a client's Forwarded", { forwarded: "for=10.9.9.9" }, "x-forwarded-for", "127.0.0.1"],
    ["forwarded, the proxy named nobody: the proxy itself, never a client's X-Forwarded-For", { "x-forwarded-for": "10.9.9.9" }, "forwarded", "127.0.0.1"],
  ];
  for (const [what, headers, header, expected] of cases) {
    it(what, () => assert.equal(clientAddress("127.0.0.1", headers, LOOPBACK_ONLY, header), expected));
  }
});

describe("isTrustedProxy / plainAddress", () => {
  it("compares addresses as written in headers and as sockets report them", () => {
    assert.equal(plainAddress("::ffff:10.0.0.1"), "10.0.0.1");
    assert.equal(plainAddress('"[::1]:80"'), "::1");
    assert.equal(isTrustedProxy("::ffff:192.168.1.2", ["192.168.1.2"]), true);
    assert.equal(isTrustedProxy("127.8.0.1", ["loopback"]), true);
    assert.equal(isTrustedProxy("192.168.1.3", ["loopback", "192.168.1.2"]), false);
  });
});
