import { test } from "node:test";
import assert from "node:assert/strict";
import { droppedFrames, latencySummary, matchLatencies, median, percentile, ratio, summarize } from "./stats";

test("percentile uses the nearest rank, so it is always an observed sample", () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
  const cases: [readonly number[], number, number][] = [
    [hundred, 50, 50],
    [hundred, 95, 95],
    [hundred, 99, 99],
    [hundred, 100, 100],
    [hundred, 0, 1],
    [[5], 99, 5],
    [[3, 1, 2], 50, 2],
    [[10, 20, 30, 40], 50, 20],
    [[10, 20, 30, 40], 51, 30],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 1000], 95, 1000],
  ];
  for (const [samples, p, expected] of cases) assert.equal(percentile(samples, p), expected, `p${p} of ${samples.length}`);
});

test("percentile of nothing is NaN, and a p outside 0–100 is refused", () => {
  assert.ok(Number.isNaN(percentile([], 50)));
  assert.throws(() => percentile([1], 101), RangeError);
  assert.throws(() => percentile([1], -1), RangeError);
  assert.throws(() => percentile([1], NaN), RangeError);
});

test("percentile does not reorder the caller's samples", () => {
  const samples = [3, 1, 2];
  percentile(samples, 50);
  assert.deepEqual(samples, [3, 1, 2]);
});

test("median of odd and even counts", () => {
  const cases: [number[], number][] = [
    [[7], 7],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
  ];
  for (const [samples, expected] of cases) assert.equal(median(samples), expected);
  assert.ok(Number.isNaN(median([])));
});

test("summarize gives median and range, leaving failed (NaN) repetitions out", () => {
  assert.deepEqual(summarize([30, 10, 20]), { median: 20, min: 10, max: 30, n: 3 });
  assert.deepEqual(summarize([10, NaN, 30]), { median: 20, min: 10, max: 30, n: 2 });
  const none = summarize([NaN]);
  assert.equal(none.n, 0);
  assert.ok(Number.isNaN(none.median));
});

test("latencySummary reports p50, p95, p99 and max", () => {
  const samples = Array.from({ length: 1000 }, (_, i) => i + 1);
  assert.deepEqual(latencySummary(samples), { p50: 500, p95: 950, p99: 990, max: 1000, n: 1000 });
  assert.ok(Number.isNaN(latencySummary([]).max));
});

test("ratio is NaN when it cannot be known", () => {
  assert.equal(ratio(9, 10), 0.9);
  assert.ok(Number.isNaN(ratio(1, 0)));
  assert.ok(Number.isNaN(ratio(NaN, 1)));
  assert.ok(Number.isNaN(ratio(1, NaN)));
});

test("droppedFrames counts the frames missing from gaps between rAF callbacks", () => {
  const f = 1000 / 60;
  const cases: [number[], number][] = [
    [[], 0],
    [[0], 0],
    [[0, f, 2 * f, 3 * f], 0],
    [[0, f * 1.4], 0], // jitter, not a drop
    [[0, f * 2], 1],
    [[0, f, f * 5], 3],
    [[0, 100], 5], // 100 ms ≈ 6 frames: 5 lost
  ];
  for (const [times, expected] of cases) assert.equal(droppedFrames(times), expected, JSON.stringify(times));
});

test("matchLatencies takes the first showing of a value or a newer one of the same topic", () => {
  const sent = [
    { topic: "a", value: 1, at: 100 },
    { topic: "a", value: 2, at: 105 }, // superseded: shown when 3 was
    { topic: "a", value: 3, at: 110 },
    { topic: "b", value: 1, at: 100 },
    { topic: "b", value: 2, at: 200 }, // never shown
  ];
  const shown = [
    { topic: "a", value: 1, at: 112 },
    { topic: "b", value: 1, at: 120 },
    { topic: "a", value: 3, at: 125 },
  ];
  assert.deepEqual(matchLatencies(sent, shown), { latencies: [12, 20, 15, 20], missing: 1 });
});
