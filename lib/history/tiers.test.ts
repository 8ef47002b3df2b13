import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HOUR_MS, MINUTE_MS } from "./rollup";
import { chooseTier, type Horizons } from "./tiers";

const DAY = 24 * HOUR_MS;
const NOW = Date.UTC(2026, 5, 1);
const NEVER_PRUNED: Horizons = { raw: 0, minute: 0, hour: 0 };
/** What the default retention leaves: raw for 48 h, minutes for 31 days. */
const PRUNED: Horizons = { raw: NOW - 2 * DAY, minute: NOW - 31 * DAY, hour: NOW - 5 * 365 * DAY };

describe("chooseTier", () => {
  const cases: { name: string; span: number; points: number; horizons?: Horizons; tier: string; bucketMs: number }[] = [
    { name: "1 h at 800 px: raw buckets of 4.5 s", span: HOUR_MS, points: 800, tier: "raw", bucketMs: 4500 },
    { name: "1 h at 30 px: 2 min ideal → minute rows", span: HOUR_MS, points: 30, tier: "minute", bucketMs: 2 * MINUTE_MS },
    { name: "24 h at 800 px: 108 s ideal → 2 min of minute rows", span: DAY, points: 800, tier: "minute", bucketMs: 2 * MINUTE_MS },
    { name: "ideal just over half a minute → minute", span: DAY, points: 2880, tier: "minute", bucketMs: MINUTE_MS },
    { name: "ideal under half a minute → raw", span: DAY, points: 2881, tier: "raw", bucketMs: 29_990 },
    { name: "7 d at 800 px: 756 s ideal → minute", span: 7 * DAY, points: 800, tier: "minute", bucketMs: 13 * MINUTE_MS },
    { name: "30 d at 800 px: 54 min ideal → hour", span: 30 * DAY, points: 800, tier: "hour", bucketMs: HOUR_MS },
    { name: "365 d at 800 px: hour rows, 11 h buckets", span: 365 * DAY, points: 800, tier: "hour", bucketMs: 11 * HOUR_MS },
    { name: "a budget of one point over an hour", span: HOUR_MS, points: 1, tier: "hour", bucketMs: HOUR_MS },
    { name: "a 10 ms range", span: 10, points: 3, tier: "raw", bucketMs: 4 },
    { name: "3 h ago at 1000 px, raw pruned at 48 h: raw", span: HOUR_MS, points: 1000, horizons: PRUNED, tier: "raw", bucketMs: 3600 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const to = c.horizons ? NOW - 2 * HOUR_MS : NOW;
      const from = to - c.span + 1;
      assert.deepEqual(chooseTier(from, to, c.points, c.horizons ?? NEVER_PRUNED), { tier: c.tier, bucketMs: c.bucketMs });
    });
  }

  it("skips raw readings that were pruned: a fine budget over 3 days ago reads minute rows", () => {
    const from = NOW - 3 * DAY;
    assert.deepEqual(chooseTier(from, from + HOUR_MS - 1, 1000, PRUNED), { tier: "minute", bucketMs: MINUTE_MS });
  });

  it("reads hour rows for a range older than the minute tier's horizon", () => {
    const from = NOW - 60 * DAY;
    assert.deepEqual(chooseTier(from, from + DAY - 1, 1000, PRUNED), { tier: "hour", bucketMs: HOUR_MS });
  });

  it("falls back to hour rows when even they were pruned past the range", () => {
    const from = NOW - 10 * 365 * DAY;
    assert.equal(chooseTier(from, from + DAY, 100, PRUNED).tier, "hour");
  });
});
