import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { HistoryPoint } from "./history/store";
import { clockUncertainty, estimateClockOffset, mergeHistoryWithLive, type MergeOptions, type SeriesPoint } from "./merge-series";

const T0 = 1_700_000_000_000;
const s = (seconds: number) => T0 + seconds * 1000;
const pts = (...pairs: Array<[number, number]>): SeriesPoint[] => pairs.map(([sec, v]) => ({ t: s(sec), v }));

type Case = {
  name: string;
  history: HistoryPoint[];
  live: SeriesPoint[];
  options: MergeOptions;
  expected: HistoryPoint[];
};

const base = { clockOffsetMs: 0, windowStart: s(-3600) };

const cases: Case[] = [
  {
    name: "live continues history with no duplicate at the seam",
    history: pts([0, 20], [10, 21], [20, 22]),
    live: pts([20.4, 22], [30, 23], [40, 24]),
    options: base,
    expected: pts([0, 20], [10, 21], [20, 22], [30, 23], [40, 24]),
  },
  {
    name: "a live point older than the last history point is already in it",
    history: pts([0, 20], [10, 21], [20, 22]),
    live: pts([15, 99], [25, 23]),
    options: base,
    expected: pts([0, 20], [10, 21], [20, 22], [25, 23]),
  },
  {
    name: "a live point at the same t as the last history point loses to history",
    history: pts([0, 20], [10, 21]),
    live: pts([10, 30], [20, 22]),
    options: base,
    expected: pts([0, 20], [10, 21], [20, 22]),
  },
  {
    name: "a different value just after the seam is a new reading",
    history: pts([0, 20], [10, 21]),
    live: pts([10.5, 21.5]),
    options: base,
    expected: pts([0, 20], [10, 21], [10.5, 21.5]),
  },
  {
    name: "the same value beyond the tolerance is a new reading",
    history: pts([0, 20], [10, 21]),
    live: pts([11.5, 21]),
    options: base,
    expected: pts([0, 20], [10, 21], [11.5, 21]),
  },
  {
    name: "a wider tolerance swallows the repeat",
    history: pts([0, 20], [10, 21]),
    live: pts([11.5, 21]),
    options: { ...base, toleranceMs: 2000 },
    expected: pts([0, 20], [10, 21]),
  },
  {
    // The failure seen in e2e/live-dashboard.spec.ts at load 12: the tile mounts on the
    // first live reading, its history request waits seconds for the hub, and the
    // midpoint estimate puts every live point up to half that round trip late.
    name: "a clock estimate off by up to its uncertainty still finds the readings history has",
    history: pts([0, 20.1], [0.3, 20.4], [0.6, 20.2]),
    live: pts([2.1, 20.1], [2.4, 20.4], [2.7, 20.2], [9, 20.9]),
    options: { ...base, clockUncertaintyMs: 2000 },
    expected: pts([0, 20.1], [0.3, 20.4], [0.6, 20.2], [9, 20.9]),
  },
  {
    name: "each history point stands for one live point: a repeat just after the seam is a new reading",
    history: pts([0, 20], [10, 20], [20, 20]),
    live: pts([20.4, 20], [20.9, 20]),
    options: base,
    expected: pts([0, 20], [10, 20], [20, 20], [20.9, 20]),
  },
  {
    // Review 6 #7: the longest run of equal values was taken as the overlap, so both live
    // points matched (9.5 s, 10 s) and the newest reading, 10.9 s, was dropped.
    name: "a run of equal values matches one live point, so the newest reading is kept",
    history: pts([9, 4], [9.5, 5], [10, 5]),
    live: pts([10.4, 5], [10.9, 5]),
    options: base,
    expected: pts([9, 4], [9.5, 5], [10, 5], [10.9, 5]),
  },
  {
    name: "a pattern of values reaching past the run of equal ones is matched whole",
    history: pts([9, 4], [9.5, 5], [10, 5]),
    live: pts([10.1, 4], [10.6, 5], [10.95, 5], [11.5, 6]),
    options: { ...base, clockUncertaintyMs: 1000 },
    expected: pts([9, 4], [9.5, 5], [10, 5], [11.5, 6]),
  },
  {
    name: "live readings match history in order, not each to any point of its value",
    history: pts([0, 21], [0.5, 22], [0.9, 21]),
    live: pts([1.2, 21], [1.6, 22], [2.0, 21], [2.3, 21]),
    options: { ...base, clockUncertaintyMs: 1000 },
    expected: pts([0, 21], [0.5, 22], [0.9, 21], [2.3, 21]),
  },
  {
    name: "a browser clock 5 minutes behind is shifted onto hub time",
    history: pts([0, 20], [10, 21], [20, 22]),
    live: pts([20.3 - 300, 22], [30 - 300, 23]),
    options: { ...base, clockOffsetMs: 300_000 },
    expected: pts([0, 20], [10, 21], [20, 22], [30, 23]),
  },
  {
    name: "a browser clock ahead is shifted back",
    history: pts([0, 20], [10, 21]),
    live: pts([10 + 90, 21], [20 + 90, 22]),
    options: { ...base, clockOffsetMs: -90_000 },
    expected: pts([0, 20], [10, 21], [20, 22]),
  },
  {
    name: "a gap between history and live is kept, not filled",
    history: pts([0, 20], [10, 21]),
    live: pts([600, 25], [610, 26]),
    options: base,
    expected: pts([0, 20], [10, 21], [600, 25], [610, 26]),
  },
  {
    name: "empty history gives the live points",
    history: [],
    live: pts([0, 20], [10, 21]),
    options: base,
    expected: pts([0, 20], [10, 21]),
  },
  {
    name: "empty live gives the history, bucket bounds included",
    history: [{ t: s(0), v: 20, min: 19, max: 21 }, { t: s(60), v: 21, min: 20.5, max: 21.5 }],
    live: [],
    options: base,
    expected: [{ t: s(0), v: 20, min: 19, max: 21 }, { t: s(60), v: 21, min: 20.5, max: 21.5 }],
  },
  {
    name: "both empty",
    history: [],
    live: [],
    options: base,
    expected: [],
  },
  {
    name: "points before the window start are dropped from both",
    history: pts([-4000, 18], [-10, 20], [0, 21]),
    live: pts([-3700, 19], [10, 22]),
    options: base,
    expected: pts([-10, 20], [0, 21], [10, 22]),
  },
  {
    name: "live points out of order and at equal t come out sorted and unique",
    history: pts([0, 20]),
    live: pts([30, 23], [10, 21], [20, 22], [20, 22.5]),
    options: base,
    expected: pts([0, 20], [10, 21], [20, 22], [30, 23]),
  },
  {
    name: "a repeated t in history keeps the first point",
    history: pts([0, 20], [10, 21], [10, 21.2], [20, 22]),
    live: [],
    options: base,
    expected: pts([0, 20], [10, 21], [20, 22]),
  },
];

describe("mergeHistoryWithLive", () => {
  for (const c of cases) {
    it(c.name, () => {
      const merged = mergeHistoryWithLive(c.history, c.live, c.options);
      assert.deepEqual(merged, c.expected);
      for (let i = 1; i < merged.length; i++) assert.ok(merged[i - 1].t < merged[i].t, "strictly increasing t");
    });
  }

  it("does not modify its inputs", () => {
    const history = pts([0, 20]);
    const live = pts([20, 22], [10, 21]);
    const before = structuredClone({ history, live });
    mergeHistoryWithLive(history, live, base);
    assert.deepEqual({ history, live }, before);
  });
});

describe("estimateClockOffset", () => {
  const table: Array<{ name: string; serverNow: number; sentAt: number; receivedAt: number; expected: number }> = [
    { name: "same clock", serverNow: 1_050, sentAt: 1_000, receivedAt: 1_100, expected: 0 },
    { name: "hub ahead", serverNow: 61_050, sentAt: 1_000, receivedAt: 1_100, expected: 60_000 },
    { name: "hub behind", serverNow: 1_050, sentAt: 61_000, receivedAt: 61_100, expected: -60_000 },
    { name: "rounded to whole ms", serverNow: 1_000, sentAt: 1_000, receivedAt: 1_003, expected: -1 },
  ];
  for (const c of table) {
    it(c.name, () => assert.equal(estimateClockOffset(c.serverNow, c.sentAt, c.receivedAt), c.expected));
  }
});

describe("clockUncertainty", () => {
  it("is half the round trip, rounded up", () => assert.equal(clockUncertainty(1_000, 4_001), 1_501));
  it("is 0 when the browser's clock stepped back during the request", () => assert.equal(clockUncertainty(5_000, 4_000), 0));
});
