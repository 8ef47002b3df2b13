import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isLive, parseCustomRange, requestRange, toLocalInput } from "./ranges";

const NOW = Date.UTC(2026, 0, 8);

describe("chart ranges", () => {
  it("asks presets up to the hub's now, and custom ranges as they are", () => {
    assert.deepEqual(requestRange({ kind: "preset", preset: "1h" }, NOW), { from: NOW - 3_600_000, to: null });
    assert.deepEqual(requestRange({ kind: "preset", preset: "30d" }, NOW), { from: NOW - 30 * 86_400_000, to: null });
    assert.deepEqual(requestRange({ kind: "custom", from: 5, to: 9 }, NOW), { from: 5, to: 9 });
  });

  it("follows live readings on the recent presets only", () => {
    assert.deepEqual(
      (["1h", "24h", "7d", "30d"] as const).map((preset) => isLive({ kind: "preset", preset })),
      [true, true, false, false],
    );
    assert.equal(isLive({ kind: "custom", from: 0, to: NOW }), false);
  });

  it("parses custom inputs and refuses an empty or inverted range", () => {
    const from = toLocalInput(NOW - 3_600_000);
    const to = toLocalInput(NOW);
    assert.deepEqual(parseCustomRange(from, to), { kind: "custom", from: NOW - 3_600_000, to: NOW });
    assert.deepEqual(parseCustomRange(to, from), { error: "end-before-start" });
    assert.deepEqual(parseCustomRange("", to), { error: "missing" });
  });
});
