import { test } from "node:test";
import assert from "node:assert/strict";
import { nextRoundAt, opensIn, roundWindow, type Pace } from "./people-pace";

const pace: Extract<Pace, { kind: "rounds" }> = { kind: "rounds", periodMs: 5_000, epochMs: 1_000_000 };

test("the next round is the first at or after the time asked, never before the epoch", () => {
  assert.equal(nextRoundAt(pace, 1_000_000), 1_000_000);
  assert.equal(nextRoundAt(pace, 1_000_001), 1_005_000);
  assert.equal(nextRoundAt(pace, 1_004_999), 1_005_000);
  assert.equal(nextRoundAt(pace, 1_005_000), 1_005_000);
  assert.equal(nextRoundAt(pace, 900_000), 1_000_000);
});

test("a rounds window holds exactly its number of round starts, whatever the clock's phase", () => {
  for (const earliest of [1_000_000, 1_002_345, 1_004_950, 1_004_999, 1_017_777]) {
    for (const rounds of [1, 2, 4]) {
      const { from, to } = roundWindow(pace, earliest, rounds);
      assert.ok(from >= earliest, `window starts at ${from}, not before ${earliest}`);
      assert.equal(to - from, rounds * pace.periodMs);
      let starts = 0;
      for (let t = pace.epochMs; t < to + pace.periodMs; t += pace.periodMs) if (t >= from && t < to) starts++;
      assert.equal(starts, rounds, `from ${from}, ${rounds} rounds`);
    }
  }
});

test("opens are counted by when they started, so an open still running at the window's end counts once", () => {
  const opens = [
    { person: 0, at: 999, ms: 50 }, // before
    { person: 0, at: 1_000, ms: 300 },
    { person: 1, at: 1_000, ms: 100 },
    { person: 2, at: 1_500, ms: 900 }, // ends after the window: still this window's
    { person: 3, at: 2_000, ms: 10 }, // at the end: the next window's
  ];
  const s = opensIn(opens, 1_000, 2_000);
  assert.equal(s.count, 3);
  assert.equal(s.perSecond, 3);
  assert.equal(s.p50, 300);
  assert.equal(s.max, 900);
  assert.equal(s.finished, 3, "999+50, 1000+100 and 1000+300 end inside; 1500+900 and 2000+10 after");
  const none = opensIn(opens, 5_000, 6_000);
  assert.equal(none.count, 0);
  assert.ok(Number.isNaN(none.p50) && Number.isNaN(none.max));
});
