import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { abBuilds, parseAbEnv } from "./ab-builds";

test("AB_ENV pairs split at their first '=', blanks ignored", () => {
  assert.deepEqual(parseAbEnv(" HEARTH_X=1  NODE_OPTIONS=--max-semi-space-size=2 "), { HEARTH_X: "1", NODE_OPTIONS: "--max-semi-space-size=2" });
  assert.deepEqual(parseAbEnv(""), {});
});

test("bundles resolve against the current directory; B exists only when something differs", () => {
  const ab = abBuilds({ AB_BUNDLE_A: "dist-base/hub.mjs" });
  assert.equal(ab.bundleA, path.resolve("dist-base/hub.mjs"));
  assert.equal(ab.bundleB, undefined);
  assert.equal(ab.hasB, false);
  assert.equal(abBuilds({ AB_ENV: "HEARTH_X=1" }).hasB, true);
  assert.equal(abBuilds({ AB_BUNDLE: "/tmp/b.mjs" }).bundleB, "/tmp/b.mjs");
});
