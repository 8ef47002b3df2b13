// Who sent a request, for the login throttle's per-address key (review-8 F6). Behind a
// reverse proxy the socket's peer is the proxy: every client would share its address, and
// twenty wrong logins by a stranger would lock everyone out. So the client's address is
// read from the proxy's X-Forwarded-For and RFC 7239 Forwarded — but only when the peer
// is a proxy the hub trusts (`auth.trustedProxies`, by default this machine): a client
// connecting directly could otherwise write any address there and escape the throttle.
import { isIP } from "node:net";
import type { IncomingHttpHeaders } from "node:http";

/** `auth.trustedProxies` by default: a proxy on the hub's own machine (README, "Behind a reverse proxy"). */
export const DEFAULT_TRUSTED_PROXIES: readonly string[] = ["loopback"];

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (what a dual-stack listener reports). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return v4.startsWith("127.") || address === "::1";
}

/**
 * An address as a list entry compares it: no quotes, IPv4-mapped prefix, brackets or port
 * (Forwarded's `"[::1]:4711"`, `"_node:_port"` [RFC 7239 §6]; `1.2.3.4:80` in X-Forwarded-For).
 */
export function plainAddress(address: string): string {
  let a = address.trim().replace(/^"|"$/g, "").replace(/\\(.)/g, "$1");
  if (a.startsWith("[")) a = a.slice(1, a.indexOf("]") > 0 ? a.indexOf("]") : undefined);
  else if (/^([\d.]+|_[\w.-]+|unknown):(\d+|_[\w.-]+)$/i.test(a)) a = a.slice(0, a.indexOf(":"));
  a = a.toLowerCase();
  return a.startsWith("::ffff:") && a.includes(".") ? a.slice(7) : a;
}

/** Whether `address` is one of `trusted` ("loopback" names 127.0.0.0/8 and ::1). */
export function isTrustedProxy(address: string, trusted: readonly string[]): boolean {
  const plain = plainAddress(address);
  return trusted.some((entry) => (entry === "loopback" ? isLoopback(plain) : plainAddress(entry) === plain));
}

/**
 * What a hop may be named by [RFC 7239 §6]: an IP address, `unknown`, or an obfuscated
 * identifier (`_` then letters, digits, `.`, `_`, `-`; bounded here, as it becomes a
 * throttle key). Anything else names no one.
 */
function isHopName(hop: string): boolean {
  return isIP(hop) !== 0 || hop === "unknown" || /^_[a-z\d._-]{1,63}$/.test(hop);
}

/** One header's value, however many lines carried it (they are one list, in order). */
function headerText(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(",") : (value ?? "");
}

/** X-Forwarded-For's hops, client first. */
function xForwardedForHops(headers: IncomingHttpHeaders): string[] {
  return headerText(headers["x-forwarded-for"]).split(",").map(plainAddress).filter(Boolean);
}

/** Forwarded's `for=` hops, client first; a quoted value may hold `,` and `;` [RFC 7239 §4]. */
function forwardedHops(headers: IncomingHttpHeaders): string[] {
  const pairs = headerText(headers.forwarded).match(/(?:[^,;"]|"(?:[^"\\]|\\.)*")+/g) ?? [];
  return pairs.flatMap((pair) => {
    const eq = pair.indexOf("=");
    return eq > 0 && pair.slice(0, eq).trim().toLowerCase() === "for" ? [plainAddress(pair.slice(eq + 1))] : [];
  });
}

/**
 * The nearest hop of one header, from the right, that is not a trusted proxy: the right
 * end is what our proxy wrote, its left is whatever the client wrote and is believed only
 * past a run of trusted proxies (the usual rule: Express's `trust proxy`, nginx's
 * `real_ip_recursive`). Null when the header names no such hop, or a malformed one first.
 */
function nearestUntrusted(hops: string[], trusted: readonly string[]): string | null {
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!isHopName(hops[i])) return null;
    if (!isTrustedProxy(hops[i], trusted)) return hops[i];
  }
  return null;
}

/**
 * The client's address: the peer's, unless the peer is a trusted proxy that names who it
 * forwarded (nearestUntrusted of X-Forwarded-For and of Forwarded). When both headers
 * name someone and differ, both are given, separated by a space: a proxy writes one of
 * them and passes the other on as the client wrote it, and which one cannot be told from
 * the request (review-9 F2 addendum). Any single choice fails one setup — behind an
 * X-Forwarded-For proxy a forged Forwarded would choose the key, behind a Forwarded proxy
 * a forged X-Forwarded-For would — and the proxy's own address, shared by everyone behind
 * it, let one stranger lock every login out (review-11 F3, 586732c). Counted on both
 * (addressKeys), the client's real address is always among its keys.
 */
export function clientAddress(peer: string, headers: IncomingHttpHeaders, trusted: readonly string[]): string {
  if (!peer || !isTrustedProxy(peer, trusted)) return peer;
  const named = new Set<string>();
  for (const hops of [xForwardedForHops(headers), forwardedHops(headers)]) {
    const hop = nearestUntrusted(hops, trusted);
    if (hop !== null) named.add(hop);
  }
  // No hop named (no header, only trusted machines, nonsense): the request is the peer's own.
  return named.size > 0 ? [...named].join(" ") : peer;
}

/** The throttle's `address:` keys for what clientAddress said: one per address it named. */
export function addressKeys(address: string | undefined): string[] {
  const named = address?.split(" ").filter(Boolean) ?? [];
  return (named.length > 0 ? named : ["unknown"]).map((a) => `address:${a}`);
}
