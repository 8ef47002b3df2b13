import { test } from "node:test";
import assert from "node:assert/strict";
import { linePath, nearestIndex, project, valueDomain } from "./sparkline-path";

test("valueDomain pads the range, and gives a flat or empty line a visible one", () => {
  const cases: [{ t: number; v: number }[], [number, number]][] = [
    [[], [0, 1]],
    [[{ t: 0, v: 10 }, { t: 1, v: 20 }], [9, 21]],
    [[{ t: 0, v: 20 }], [19, 21]],
    [[{ t: 0, v: 0 }], [-1, 1]],
  ];
  for (const [series, expected] of cases) assert.deepEqual(valueDomain(series), expected);
});

test("valueDomain keeps a minimum span about the middle, so noise stays a ripple", () => {
  const flicker = [{ t: 0, v: 38 }, { t: 1, v: 39 }, { t: 2, v: 38 }];
  assert.deepEqual(valueDomain(flicker, 10), [33.5, 43.5]);
  // A line wider than the minimum keeps its own range.
  assert.deepEqual(valueDomain([{ t: 0, v: 10 }, { t: 1, v: 30 }], 10), [8, 32]);
});

test("project puts time left to right and values bottom to top", () => {
  const frame = { domain: [0, 100] as const, values: [0, 10] as const, width: 1000, height: 100 };
  assert.deepEqual(project({ t: 0, v: 0 }, frame), [0, 100]);
  assert.deepEqual(project({ t: 100, v: 10 }, frame), [1000, 0]);
  assert.deepEqual(project({ t: 50, v: 5 }, frame), [500, 50]);
  // A zero-length range draws at the right edge, in the middle, instead of dividing by zero.
  assert.deepEqual(project({ t: 5, v: 5 }, { ...frame, domain: [5, 5], values: [5, 5] }), [1000, 50]);
});

test("linePath draws through every point, rounded to a tenth", () => {
  const frame = { domain: [0, 3] as const, values: [0, 3] as const, width: 3, height: 3 };
  assert.equal(linePath([], frame), "");
  assert.equal(linePath([{ t: 0, v: 0 }], frame), "M0,3");
  assert.equal(linePath([{ t: 0, v: 0 }, { t: 1, v: 2 }, { t: 3, v: 1.04 }], frame), "M0,3 L1,1 L3,2");
});

test("nearestIndex finds the point nearest in time", () => {
  const series = [{ t: 0, v: 0 }, { t: 10, v: 0 }, { t: 20, v: 0 }];
  const cases: [number, number][] = [[-5, 0], [0, 0], [4, 0], [5, 0], [6, 1], [14, 1], [16, 2], [99, 2]];
  for (const [t, expected] of cases) assert.equal(nearestIndex(series, t), expected, `t=${t}`);
  assert.equal(nearestIndex([], 1), -1);
});
