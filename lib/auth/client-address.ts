// Who sent a request, for the login throttle's per-address key (review-8 F6). Behind a
// reverse proxy the socket's peer is the proxy: every client would share its address, and
// twenty wrong logins by a stranger would lock everyone out. So the client's address is
// read from the proxy's X-Forwarded-For (or RFC 7239 Forwarded) — but only when the peer
// is a proxy the hub trusts (`auth.trustedProxies`, by default this machine): a client
// connecting directly could otherwise write any address there and escape the throttle.
import type { IncomingHttpHeaders } from "node:http";

/** `auth.trustedProxies` by default: a proxy on the hub's own machine (README, "Behind a reverse proxy"). */
export const DEFAULT_TRUSTED_PROXIES: readonly string[] = ["loopback"];

/**
 * `auth.proxyHeader`: which header the trusted proxy writes. "auto" reads X-Forwarded-For, else
 * Forwarded: right for a proxy that sets X-Forwarded-For, but behind a proxy that writes only
 * Forwarded a client may send its own X-Forwarded-For and pick its throttle key (review-9 F2).
 * Naming the one header the proxy writes closes that, as nginx's real_ip_header does. Reading
 * both at once is no answer: a forged `Forwarded` behind an X-Forwarded-For proxy then moved
 * failures onto an address of the stranger's choosing (review-13 F2).
 */
export const PROXY_HEADERS = ["auto", "x-forwarded-for", "forwarded"] as const;
export type ProxyHeader = (typeof PROXY_HEADERS)[number];

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (what a dual-stack listener reports). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return v4.startsWith("127.") || address === "::1";
}

/** An address as a list entry compares it: no IPv4-mapped prefix, no brackets or port (Forwarded's `"[::1]:4711"`). */
export function plainAddress(address: string): string {
  let a = address.trim().replace(/^"|"$/g, "");
  if (a.startsWith("[")) a = a.slice(1, a.indexOf("]") > 0 ? a.indexOf("]") : undefined);
  else if (/^[\d.]+:\d+$/.test(a)) a = a.slice(0, a.indexOf(":"));
  return a.startsWith("::ffff:") && a.includes(".") ? a.slice(7) : a;
}

/** Whether `address` is one of `trusted` ("loopback" names 127.0.0.0/8 and ::1). */
export function isTrustedProxy(address: string, trusted: readonly string[]): boolean {
  const plain = plainAddress(address);
  return trusted.some((entry) => (entry === "loopback" ? isLoopback(plain) : plainAddress(entry) === plain));
}

/** The hops a request passed, client first: X-Forwarded-For and/or Forwarded's `for=`, as `header` says. */
function forwardedChain(headers: IncomingHttpHeaders, header: ProxyHeader): string[] {
  const xff = headers["x-forwarded-for"];
  const text = header === "forwarded" ? undefined : Array.isArray(xff) ? xff.join(",") : xff;
  if (text) return text.split(",").map(plainAddress).filter(Boolean);
  const forwarded = header === "x-forwarded-for" ? undefined : headers.forwarded;
  if (!forwarded) return [];
  return [...forwarded.matchAll(/for=("[^"]*"|[^;,\s]+)/gi)].map((m) => plainAddress(m[1]));
}

/**
 * The client's address: the peer's, unless the peer is a trusted proxy that says who it
 * forwarded; then the nearest hop, from the right, that is not itself a trusted proxy
 * (the left of a chain is whatever the client wrote).
 */
export function clientAddress(peer: string, headers: IncomingHttpHeaders, trusted: readonly string[], header: ProxyHeader = "auto"): string {
  if (!peer || !isTrustedProxy(peer, trusted)) return peer;
  const chain = forwardedChain(headers, header);
  for (let i = chain.length - 1; i >= 0; i--) if (!isTrustedProxy(chain[i], trusted)) return chain[i];
  return chain[0] ?? peer;
}
