import assert from "node:assert/strict";
import { test } from "node:test";
import { crossSiteRefusal, sameOrigin } from "./same-origin";

const from = (entries: Record<string, string>) => crossSiteRefusal(new Headers(entries));

test("the hub's own pages may change state; a program without Origin is judged by its session alone", () => {
  assert.equal(from({ host: "hub.local:3000", origin: "http://hub.local:3000", "sec-fetch-site": "same-origin" }), null);
  assert.equal(from({ host: "hub.local:3000", origin: "http://hub.local:3000" }), null);
  assert.equal(from({ host: "hub.local:3000" }), null);
  // Behind a proxy that rewrites Host, the host the browser addressed is the forwarded one.
  assert.equal(from({ host: "127.0.0.1:3000", "x-forwarded-host": "hub.example.com", origin: "https://hub.example.com" }), null);
});

test("a page on another port or sub-domain of the same site is refused (review-8 F5)", () => {
  assert.equal(from({ host: "hub.local:3000", origin: "http://hub.local:8123" })?.code, "cross-origin");
  assert.equal(from({ host: "hub.example.com", origin: "https://blog.example.com" })?.code, "cross-origin");
  assert.equal(from({ host: "hub.local:3000", origin: "null" })?.code, "cross-origin");
  // Sec-Fetch-Site says it even where the Origin would match (a same-site page cannot fake it).
  assert.equal(from({ host: "hub.local:3000", "sec-fetch-site": "same-site" })?.code, "cross-origin");
  assert.equal(from({ host: "hub.local:3000", "sec-fetch-site": "cross-site", origin: "https://evil.example" })?.code, "cross-origin");
});

test("sameOrigin compares host and port, not the scheme's default spelled out", () => {
  assert.equal(sameOrigin("http://hub.local:3000", "hub.local:3000"), true);
  assert.equal(sameOrigin("https://hub.example.com", "hub.example.com"), true);
  assert.equal(sameOrigin("https://HUB.example.com", "hub.example.com"), true);
  assert.equal(sameOrigin("http://hub.local:3001", "hub.local:3000"), false);
  assert.equal(sameOrigin("http://hub.local:3000", undefined), false);
  assert.equal(sameOrigin("not a url", "hub.local"), false);
});
