// The client address the login throttle keys on (review-8 F6): a trusted proxy's word,
// never a header from a client that connected directly.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clientAddress, DEFAULT_TRUSTED_PROXIES, isTrustedProxy, plainAddress } from "./client-address";

const LOOPBACK_ONLY = DEFAULT_TRUSTED_PROXIES;

describe("clientAddress", () => {
  const cases: [what: string, peer: string, headers: Record<string, string | string[]>, trusted: readonly string[], expected: string][] = [
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
    // Review-9 F2 addendum: a same-host proxy that appends to (nginx $proxy_add_x_forwarded_for,
    // HAProxy option forwardfor) or passes on a client's own header.
    ["appended behind a forged chain that names trusted hops: the hop the proxy wrote", "127.0.0.1", { "x-forwarded-for": "203.0.113.66, 127.0.0.1, ::1, 198.51.100.7" }, LOOPBACK_ONLY, "198.51.100.7"],
    ["HAProxy adds its own header line after the client's: one list, in order", "127.0.0.1", { "x-forwarded-for": ["203.0.113.66", "198.51.100.7"] }, LOOPBACK_ONLY, "198.51.100.7"],
    ["a forged X-Forwarded-For beside the proxy's Forwarded: neither is believed", "127.0.0.1", { "x-forwarded-for": "203.0.113.66", forwarded: "for=198.51.100.7" }, LOOPBACK_ONLY, "127.0.0.1"],
    ["a forged Forwarded beside the proxy's appended X-Forwarded-For: neither is believed", "127.0.0.1", { "x-forwarded-for": "198.51.100.7", forwarded: "for=203.0.113.66" }, LOOPBACK_ONLY, "127.0.0.1"],
  ];
  for (const [what, peer, headers, trusted, expected] of cases) {
    it(what, () => assert.equal(clientAddress(peer, headers, trusted), expected));
  }

  it("a client that writes a new address on each attempt through an appending proxy keeps one throttle key (review-9 F2 addendum)", () => {
    const keys = new Set<string>();
    for (let n = 1; n <= 50; n++) {
      const forged = `203.0.113.${n}, 10.0.0.${n}`;
      keys.add(clientAddress("127.0.0.1", { "x-forwarded-for": `${forged}, 198.51.100.7` }, LOOPBACK_ONLY));
      keys.add(clientAddress("::1", { "x-forwarded-for": forged, forwarded: "for=198.51.100.7" }, LOOPBACK_ONLY));
    }
    assert.deepEqual([...keys].sort(), ["198.51.100.7", "::1"], "the hop the proxy appended; the proxy itself when the headers disagree");
  });
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
