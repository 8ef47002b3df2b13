import assert from "node:assert/strict";
import { test } from "node:test";
import { PUBLIC_PAGE_HEADER, REMOTE_ADDRESS_HEADER } from "../lib/auth/request-headers";
import { cameThroughProxy, firstLine, MAX_FIRST_LINE_BYTES, parsePeerLine, peerLine, requestPath, trustedHeaders } from "./web-splice";

test("the peer line round-trips the browser's address and scheme", () => {
  for (const peer of [
    { address: "192.168.1.20", secure: false },
    { address: "::ffff:127.0.0.1", secure: true },
    { address: "", secure: false },
  ]) {
    const line = peerLine(peer);
    assert.ok(line.endsWith("\r\n"));
    assert.deepEqual(parsePeerLine(line.slice(0, -2)), peer);
  }
});

test("anything but the hub's peer line is refused", () => {
  for (const line of ["GET / HTTP/1.1", "HEARTH-PEER ftp 1.2.3.4", "HEARTH-PEER http", "HEARTH-PEER http 1.2.3.4 extra", ""]) {
    assert.equal(parsePeerLine(line), null, line);
  }
});

test("the first line is read once it is complete, and a line too long for a request is refused", () => {
  assert.equal(firstLine(Buffer.from("GET /mq")), undefined);
  const first = firstLine(Buffer.from("GET /mqtt HTTP/1.1\r\nHost: hub\r\n\r\n"));
  assert.equal(first?.line, "GET /mqtt HTTP/1.1");
  assert.equal(first?.rest.toString(), "Host: hub\r\n\r\n");
  assert.equal(firstLine(Buffer.alloc(MAX_FIRST_LINE_BYTES, "a")), null);
  assert.equal(firstLine(Buffer.from(`GET /${"a".repeat(MAX_FIRST_LINE_BYTES)} HTTP/1.1\r\n`)), null);
});

test("a request line's path, without its query", () => {
  const cases: [string, string | null][] = [
    ["GET /mqtt HTTP/1.1", "/mqtt"],
    ["GET /mqtt?client=1 HTTP/1.1", "/mqtt"],
    ["GET /mqtt/ HTTP/1.1", "/mqtt/"],
    ["GET /api/history/raw?topic=home%2F%23 HTTP/1.1", "/api/history/raw"],
    ["GET", null],
  ];
  for (const [line, path] of cases) assert.equal(requestPath(line), path, line);
});

test("Next is told the hub's peer, never what a client sent under the hub's own headers", () => {
  const headers = trustedHeaders(
    { host: "hub", [PUBLIC_PAGE_HEADER]: "1", [REMOTE_ADDRESS_HEADER]: "10.0.0.1", "x-forwarded-proto": "https" },
    { address: "192.168.1.20", secure: false },
  );
  assert.equal(headers[PUBLIC_PAGE_HEADER], undefined);
  assert.equal(headers[REMOTE_ADDRESS_HEADER], "192.168.1.20");
  assert.equal(headers["x-forwarded-proto"], "http");
  assert.equal(headers.host, "hub");
});

test("the login throttle's address: the client a proxy on this machine names, never a direct client's claim (review-8 F6)", () => {
  const forwarded = { host: "hub", "x-forwarded-for": "203.0.113.9" };
  const proxied = trustedHeaders(forwarded, { address: "127.0.0.1", secure: false }, ["loopback"]);
  assert.equal(proxied[REMOTE_ADDRESS_HEADER], "203.0.113.9");
  const direct = trustedHeaders(forwarded, { address: "192.168.1.20", secure: false }, ["loopback"]);
  assert.equal(direct[REMOTE_ADDRESS_HEADER], "192.168.1.20");
});

test("a request through a reverse proxy is told by the headers proxies add, not by the hub's own", () => {
  for (const name of ["forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "via", "x-ingress-path"]) {
    assert.equal(cameThroughProxy({ host: "hub", [name]: "1.2.3.4" }), true, name);
  }
  assert.equal(cameThroughProxy({ host: "hub", cookie: "a=b", "user-agent": "Chromium" }), false);
});
