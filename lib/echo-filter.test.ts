import assert from "node:assert/strict";
import { test } from "node:test";
import { createEchoFilter } from "./echo-filter";

const b = (s: string) => Buffer.from(s);

test("a forwarded message's echo is taken once; a second identical message passes", () => {
  const echo = createEchoFilter({ now: () => 0 });
  echo.expect("home/hall/lamp/set", b("ON"));
  assert.equal(echo.take("home/hall/lamp/set", b("ON"), 1), true);
  assert.equal(echo.take("home/hall/lamp/set", b("ON"), 2), false);
  assert.equal(echo.size, 0);
});

test("another topic or payload is not the echo", () => {
  const echo = createEchoFilter({ now: () => 0 });
  echo.expect("home/hall/lamp/set", b("ON"));
  assert.equal(echo.take("home/hall/lamp/set", b("OFF"), 1), false);
  assert.equal(echo.take("home/yard/lamp/set", b("ON"), 1), false);
  assert.equal(echo.take("home/hall/lamp/set", b("ON"), 1), true);
});

test("two forwarded in a row are two echoes, in order", () => {
  const echo = createEchoFilter({ now: () => 0 });
  echo.expect("t", b("ON"));
  echo.expect("t", b("OFF"));
  assert.equal(echo.take("t", b("ON"), 1), true);
  assert.equal(echo.take("t", b("OFF"), 1), true);
  assert.equal(echo.take("t", b("OFF"), 1), false);
});

test("an echo that never came is forgotten after the ttl, so a device's message later passes", () => {
  let now = 0;
  const echo = createEchoFilter({ ttlMs: 1000, now: () => now });
  echo.expect("t", b("ON"));
  now = 5000;
  assert.equal(echo.take("t", b("ON")), false);
  assert.equal(echo.size, 0);
});

test("memory stays bounded when nothing is ever echoed", () => {
  const echo = createEchoFilter({ max: 100, now: () => 0 });
  for (let i = 0; i < 1000; i++) echo.expect(`t/${i}`, b("x"));
  assert.equal(echo.size, 100);
});
