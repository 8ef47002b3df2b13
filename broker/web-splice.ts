// What travels between the hub's thread and the web thread besides the bytes of a
// connection: the hub's thread owns the dashboard's port and splices every connection
// that is not MQTT over WebSocket onto the web thread's Unix socket, unparsed (web-proxy.ts).
// One line goes first, saying who the peer is, since the web thread sees only the Unix
// socket; the web thread sets its headers from it (only the hub's thread can reach that
// socket, so the line is trusted, and a client cannot forge it: it precedes the client's bytes).
import type { IncomingHttpHeaders } from "node:http";
import { clientAddress, type ProxyHeader } from "../lib/auth/client-address";
import { PUBLIC_PAGE_HEADER, REMOTE_ADDRESS_HEADER } from "../lib/auth/request-headers";

export type Peer = { address: string; secure: boolean };

/** MQTT over WebSocket on the dashboard's port: the broker's, never the web thread's. */
export const MQTT_WS_PATH = "/mqtt";

const MAGIC = "HEARTH-PEER";
/**
 * A first line this long is refused (the request line, or our peer line): Node's own
 * limit for a request's head (--max-http-header-size), which the pages had before the
 * splice; a chart of a device's long topic names it in its URL (review-6 #2).
 */
export const MAX_FIRST_LINE_BYTES = 16 * 1024;

export function peerLine(peer: Peer): string {
  return `${MAGIC} ${peer.secure ? "https" : "http"} ${peer.address.replace(/\s/g, "") || "-"}\r\n`;
}

/**
 * The first line of `head`, when it has arrived: `undefined` while it is incomplete, or
 * `null` when it is too long to be a request line (the connection is dropped).
 */
export function firstLine(head: Buffer): { line: string; rest: Buffer } | null | undefined {
  const end = head.indexOf("\r\n");
  if (end === -1) return head.length >= MAX_FIRST_LINE_BYTES ? null : undefined;
  if (end >= MAX_FIRST_LINE_BYTES) return null;
  return { line: head.subarray(0, end).toString("latin1"), rest: head.subarray(end + 2) };
}

/** The peer a spliced connection's first line names; null for anything else. */
export function parsePeerLine(line: string): Peer | null {
  const [magic, scheme, address, ...more] = line.split(" ");
  if (magic !== MAGIC || (scheme !== "http" && scheme !== "https") || !address || more.length > 0) return null;
  return { address: address === "-" ? "" : address, secure: scheme === "https" };
}

/** The path a request line asks for (`GET /mqtt?x HTTP/1.1` → `/mqtt`); null when it is not one. */
export function requestPath(line: string): string | null {
  const target = line.split(" ")[1];
  if (!target) return null;
  try {
    return new URL(target, "http://hub").pathname;
  } catch {
    return null;
  }
}

/**
 * What Next is told about a request: who sent it (for the login throttle: the client a
 * trusted proxy names, else the peer; client-address.ts), and nothing a client may forge.
 */
export function trustedHeaders(headers: IncomingHttpHeaders, peer: Peer, trustedProxies: readonly string[] = [], proxyHeader?: ProxyHeader): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = { ...headers };
  delete out[PUBLIC_PAGE_HEADER]; // only proxy.ts may say so
  out[REMOTE_ADDRESS_HEADER] = clientAddress(peer.address, headers, trustedProxies, proxyHeader);
  out["x-forwarded-proto"] = peer.secure ? "https" : "http";
  return out;
}

/**
 * Headers a reverse proxy adds: RFC 7239's Forwarded, the X-Forwarded-* family (Caddy,
 * Traefik, nginx as usually set up), Via, and Home Assistant's ingress path.
 */
const PROXY_HEADERS = ["forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "via", "x-ingress-path"];

/**
 * Whether a request came through a reverse proxy. Such a proxy keeps a pool of connections
 * to the hub and may send the dashboard's WebSocket upgrade on one that carried a page; but
 * the hub's thread routes a connection by its first request, for good (http-server.ts), so
 * the web thread closes each proxied connection after its response.
 */
export function cameThroughProxy(headers: IncomingHttpHeaders): boolean {
  return PROXY_HEADERS.some((name) => headers[name] !== undefined);
}
