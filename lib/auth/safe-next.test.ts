import assert from "node:assert/strict";
import { test } from "node:test";
import { safeNext } from "./safe-next";

test("a path on this hub is kept, with its query and fragment", () => {
  assert.equal(safeNext("/rooms/kitchen"), "/rooms/kitchen");
  assert.equal(safeNext("/readings/home/kitchen/temperature?range=7d#chart"), "/readings/home/kitchen/temperature?range=7d#chart");
  assert.equal(safeNext("/"), "/");
});

test("anything that would leave the hub after login goes to the dashboard instead (review-8 F12)", () => {
  for (const next of [
    "https://evil.example/login",
    "//evil.example/login",
    "/\\evil.example/login",
    "\\\\evil.example",
    "/\t/evil.example/login", // the browser drops the tab: "//evil.example/login"
    "/\n/evil.example",
    "/\r\n/evil.example",
    " /evil",
    "javascript:alert(1)",
    "",
  ]) {
    assert.equal(safeNext(next), "/", JSON.stringify(next));
  }
  assert.equal(safeNext(null), "/");
  assert.equal(safeNext(42), "/");
});

test("an encoded slash or backslash stays a path on this hub", () => {
  // Percent-encoded, they are characters of a path segment, not separators.
  assert.equal(safeNext("/%2F%2Fevil.example"), "/%2F%2Fevil.example");
  assert.equal(safeNext("/%5Cevil.example"), "/%5Cevil.example");
});

test("what comes back never carries a control character into the Location header", () => {
  assert.equal(safeNext("/rooms/\tkitchen"), "/rooms/kitchen");
  assert.doesNotMatch(safeNext("/a\nb"), /[\r\n\t]/);
});
