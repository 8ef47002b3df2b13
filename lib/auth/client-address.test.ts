// The client address the login throttle keys on (review-8 F6): a trusted proxy's word,
// never a header from a client that connected directly; and with both forwarding headers,
// never one the client chose alone nor one everyone shares (review-9 F2 addendum, review-11 F3).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { addressKeys, clientAddress, DEFAULT_TRUSTED_PROXIES, isTrustedProxy, plainAddress } from "./client-address";

const LOOPBACK_ONLY = DEFAULT_TRUSTED_PROXIES;
type Headers = Record<string, string | string[]>;
/** The client's real address, as the proxy on this machine sees it. */
const REAL = "198.51.100.7";

describe("clientAddress", () => {
  const cases: [setup: string, what: string, peer: string, headers: Headers, trusted: readonly string[], expected: string][] = [
    // No proxy, or one the hub does not trust: the socket's peer, whatever the headers say.
    ["direct", "a direct client's header is ignored", "192.168.1.50", { "x-forwarded-for": "203.0.113.9" }, LOOPBACK_ONLY, "192.168.1.50"],
    ["direct", "a direct client's Forwarded too", "192.168.1.50", { forwarded: "for=203.0.113.9" }, LOOPBACK_ONLY, "192.168.1.50"],
    ["proxy elsewhere, not declared", "the proxy is the address", "192.168.1.2", { "x-forwarded-for": "203.0.113.9" }, LOOPBACK_ONLY, "192.168.1.2"],
    ["proxy elsewhere, declared", "it is believed", "192.168.1.2", { "x-forwarded-for": "203.0.113.9" }, ["192.168.1.2"], "203.0.113.9"],
    ["no proxy trusted", "the peer", "127.0.0.1", { "x-forwarded-for": "203.0.113.9" }, [], "127.0.0.1"],
    ["a local program", "without a header: itself", "127.0.0.1", {}, LOOPBACK_ONLY, "127.0.0.1"],
    // nginx `$proxy_add_x_forwarded_for`, HAProxy `option forwardfor`, Caddy, Traefik: X-Forwarded-For only.
    ["XFF proxy", "names the client", "127.0.0.1", { "x-forwarded-for": REAL }, LOOPBACK_ONLY, REAL],
    ["XFF proxy", "over IPv4-mapped IPv6 too", "::ffff:127.0.0.1", { "x-forwarded-for": REAL }, LOOPBACK_ONLY, REAL],
    ["XFF proxy", "appended to the client's own chain: the hop it wrote", "127.0.0.1", { "x-forwarded-for": `10.9.9.9, ${REAL}` }, LOOPBACK_ONLY, REAL],
    ["XFF proxy", "a forged chain naming trusted hops does not move it", "127.0.0.1", { "x-forwarded-for": `203.0.113.66, 127.0.0.1, ::1, ${REAL}` }, LOOPBACK_ONLY, REAL],
    ["XFF proxy (HAProxy)", "its own header line after the client's: one list, in order", "127.0.0.1", { "x-forwarded-for": ["203.0.113.66", REAL] }, LOOPBACK_ONLY, REAL],
    ["XFF proxy", "with a port (Azure style)", "127.0.0.1", { "x-forwarded-for": `${REAL}:51234` }, LOOPBACK_ONLY, REAL],
    ["XFF proxy", "IPv6 client in brackets with a port, any case", "127.0.0.1", { "x-forwarded-for": "[2001:DB8::7]:443" }, LOOPBACK_ONLY, "2001:db8::7"],
    ["two trusted proxies in a row", "the hop before them", "127.0.0.1", { "x-forwarded-for": "203.0.113.9, 192.168.1.2" }, ["loopback", "192.168.1.2"], "203.0.113.9"],
    ["XFF proxy", "a client that forges Forwarded as well: both are its keys", "127.0.0.1", { "x-forwarded-for": REAL, forwarded: "for=203.0.113.66" }, LOOPBACK_ONLY, `${REAL} 203.0.113.66`],
    ["XFF proxy", "a forged Forwarded naming a trusted proxy adds no key (not the proxy's own)", "127.0.0.1", { "x-forwarded-for": REAL, forwarded: "for=127.0.0.1" }, LOOPBACK_ONLY, REAL],
    ["XFF proxy", "a forged Forwarded that names no one adds no key", "127.0.0.1", { "x-forwarded-for": REAL, forwarded: "for=not an address" }, LOOPBACK_ONLY, REAL],
    // HAProxy `option forwarded`, nginx `proxy_set_header Forwarded …`: RFC 7239 Forwarded only.
    ["Forwarded proxy", "IPv6 in brackets with a port", "::1", { forwarded: 'for="[2001:db8::7]:4711";proto=https' }, LOOPBACK_ONLY, "2001:db8::7"],
    ["Forwarded proxy", "IPv4 with a port", "127.0.0.1", { forwarded: `for="${REAL}:5000"` }, LOOPBACK_ONLY, REAL],
    ["Forwarded proxy", "appended element after the client's", "127.0.0.1", { forwarded: `for=203.0.113.66;proto=http, for=${REAL};by=_hub` }, LOOPBACK_ONLY, REAL],
    ["Forwarded proxy", "FOR= in any case, spaces around the pair", "127.0.0.1", { forwarded: `proto=https; For = ${REAL}` }, LOOPBACK_ONLY, REAL],
    ["Forwarded proxy", "a quoted value holding `,` and `;for=` is one value", "127.0.0.1", { forwarded: `for=${REAL};by="x, for=203.0.113.66"` }, LOOPBACK_ONLY, REAL],
    ["Forwarded proxy", "an obfuscated identifier is the client's name [RFC 7239 §6.3]", "127.0.0.1", { forwarded: 'for="_hidden:_port", for=_SEVKISEK' }, LOOPBACK_ONLY, "_sevkisek"],
    ["Forwarded proxy", "`unknown` [RFC 7239 §6.2]: those it cannot name share one key, not the proxy's", "127.0.0.1", { forwarded: "for=203.0.113.66, for=unknown" }, LOOPBACK_ONLY, "unknown"],
    ["Forwarded proxy", "a client that forges X-Forwarded-For as well: both are its keys", "127.0.0.1", { "x-forwarded-for": "203.0.113.66", forwarded: `for=${REAL}` }, LOOPBACK_ONLY, `203.0.113.66 ${REAL}`],
    // nginx appending X-Forwarded-For + a Forwarded line added by config or by a second local proxy.
    ["proxy writing both", "one client, one key", "127.0.0.1", { "x-forwarded-for": REAL, forwarded: `for=${REAL};proto=https` }, LOOPBACK_ONLY, REAL],
    ["proxy writing both", "appended after forged lefts in both: still one key", "127.0.0.1", { "x-forwarded-for": `203.0.113.66, ${REAL}`, forwarded: `for=203.0.113.67, for="${REAL}:4000"` }, LOOPBACK_ONLY, REAL],
    ["proxy writing both", "IPv6 written two ways is one key", "::1", { "x-forwarded-for": "2001:db8::7", forwarded: 'for="[2001:DB8::7]:4711"' }, LOOPBACK_ONLY, "2001:db8::7"],
    // Malformed values: what a proxy wrote wins over nonsense a client put to its left; nothing crashes.
    ["XFF proxy", "nonsense left of the proxy's hop is never reached", "127.0.0.1", { "x-forwarded-for": `<script>, , ${REAL}` }, LOOPBACK_ONLY, REAL],
    ["passed on unchanged", "a header of nonsense names no one: the peer", "127.0.0.1", { "x-forwarded-for": "not-an-ip" }, LOOPBACK_ONLY, "127.0.0.1"],
    ["passed on unchanged", "an unterminated quote names no one", "127.0.0.1", { forwarded: 'for="[2001:db8::7' }, LOOPBACK_ONLY, "127.0.0.1"],
    ["passed on unchanged", "an empty header", "127.0.0.1", { "x-forwarded-for": "", forwarded: "" }, LOOPBACK_ONLY, "127.0.0.1"],
    ["passed on unchanged", "an over-long obfuscated name is nonsense", "127.0.0.1", { forwarded: `for=_${"a".repeat(200)}` }, LOOPBACK_ONLY, "127.0.0.1"],
    ["a local program via the proxy", "only trusted hops: the peer", "127.0.0.1", { "x-forwarded-for": "127.0.0.1" }, LOOPBACK_ONLY, "127.0.0.1"],
  ];
  for (const [setup, what, peer, headers, trusted, expected] of cases) {
    it(`${setup}: ${what}`, () => assert.equal(clientAddress(peer, headers, trusted), expected));
  }
});

describe("the two attacks on the throttle key, through each proxy setup (review-9 F2 addendum, review-11 F3)", () => {
  // Each proxy passes on the header it does not write, exactly as the client sent it.
  const setups: [name: string, through: (real: string, forged: Headers) => Headers][] = [
    ["an X-Forwarded-For proxy (nginx $proxy_add_x_forwarded_for)", (real, forged) => ({ ...forged, "x-forwarded-for": [forged["x-forwarded-for"] ?? [], real].flat().join(", ") })],
    ["a Forwarded proxy (HAProxy option forwarded)", (real, forged) => ({ ...forged, forwarded: [forged.forwarded ?? [], `for=${real}`].flat().join(", ") })],
    ["a proxy writing both", (real, forged) => ({
      "x-forwarded-for": [forged["x-forwarded-for"] ?? [], real].flat().join(", "),
      forwarded: [forged.forwarded ?? [], `for=${real}`].flat().join(", "),
    })],
  ];
  const keysOf = (headers: Headers) => addressKeys(clientAddress("127.0.0.1", headers, LOOPBACK_ONLY));
  for (const [name, through] of setups) {
    it(`${name}: a client writing a new address in either header on each attempt is always counted on its own`, () => {
      for (let n = 1; n <= 50; n++) {
        for (const forged of [{ "x-forwarded-for": `203.0.113.${n}` } as Headers, { forwarded: `for=203.0.113.${n}` }, { "x-forwarded-for": `10.0.0.${n}`, forwarded: `for="[2001:db8::${n}]"` }]) {
          assert.ok(keysOf(through(REAL, forged)).includes(`address:${REAL}`), JSON.stringify(forged));
        }
      }
    });
    it(`${name}: no forged header makes two clients share a key (the proxy's own, 586732c)`, () => {
      const forgeries: Headers[] = [{}, { "x-forwarded-for": "203.0.113.66" }, { forwarded: "for=203.0.113.66" }, { "x-forwarded-for": "127.0.0.1", forwarded: "for=::1" }, { forwarded: "for=unknown" }, { "x-forwarded-for": "junk", forwarded: 'for="' }];
      for (const forged of forgeries) {
        const mine = keysOf(through(REAL, forged));
        const theirs = keysOf(through("192.0.2.44", {}));
        assert.ok(!mine.includes("address:127.0.0.1"), JSON.stringify(forged));
        assert.deepEqual(mine.filter((key) => theirs.includes(key)), [], JSON.stringify(forged));
      }
    });
  }
});

describe("addressKeys", () => {
  it("one key per address named; a missing address is one `unknown` key", () => {
    assert.deepEqual(addressKeys(REAL), [`address:${REAL}`]);
    assert.deepEqual(addressKeys(`${REAL} 203.0.113.66`), [`address:${REAL}`, "address:203.0.113.66"]);
    assert.deepEqual(addressKeys(undefined), ["address:unknown"]);
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
