import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isLive, liveEnd, parseCustomRange, requestRange, toLocalInput } from "./ranges";

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

  it("slides a live range a pixel at a time, never behind the clock", () => {
    const day = 86_400_000;
    // 24 h over 1,200 px: 72 s a pixel; the end holds still through the clock's 5 s ticks.
    const t = Math.ceil(NOW / 72_000) * 72_000 + 1;
    const steps = [0, 5_000, 30_000, 75_000];
    const ends = steps.map((dt) => liveEnd(t + dt, day, 1200));
    assert.equal(new Set(ends.slice(0, 3)).size, 1);
    assert.ok(ends.every((end, i) => end >= t + steps[i]));
    assert.ok(ends[3] > ends[0]);
    // A short range never slides in steps finer than the clock's tick.
    assert.equal(liveEnd(t, 3_600_000, 1200) % 5_000, 0);
    assert.equal(liveEnd(t + 5_000, 3_600_000, 1200) - liveEnd(t, 3_600_000, 1200), 5_000);
    assert.ok(liveEnd(t, 3_600_000, 1200) - t < 5_000);
  });
});
