import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { reading, T0 } from "./contract-fixtures";
import { bucketStart, HOUR_MS, MINUTE_MS, mergeRollups, rollupBatch } from "./rollup";

const A = "home/attic/temperature";
const B = "home/hall/temperature";

describe("rollupBatch", () => {
  it("is empty for no readings", () => {
    assert.deepEqual(rollupBatch([], MINUTE_MS), []);
  });

  it("summarises one reading as a bucket of one", () => {
    assert.deepEqual(rollupBatch([reading(A, T0 + 61_000, 20)], MINUTE_MS), [
      { topic: A, start: T0 + MINUTE_MS, min: 20, max: 20, sum: 20, count: 1 },
    ]);
  });

  it("keeps topics and buckets apart, and the edges of a bucket inside it", () => {
    const batch = [
      reading(A, T0, 10),
      reading(B, T0 + 5, 30),
      reading(A, T0 + MINUTE_MS - 1, 14),
      reading(A, T0 + MINUTE_MS, -2),
      reading(A, T0 + 30_000, 12),
    ];
    assert.deepEqual(rollupBatch(batch, MINUTE_MS), [
      { topic: A, start: T0, min: 10, max: 14, sum: 36, count: 3 },
      { topic: B, start: T0, min: 30, max: 30, sum: 30, count: 1 },
      { topic: A, start: T0 + MINUTE_MS, min: -2, max: -2, sum: -2, count: 1 },
    ]);
    assert.deepEqual(rollupBatch(batch, HOUR_MS).map((r) => [r.topic, r.count]), [
      [A, 4],
      [B, 1],
    ]);
  });

  it("merges every reading of a topic's later bucket into one roll-up, however they interleave", () => {
    const batch = [reading(A, T0, 1), reading(A, T0 + MINUTE_MS, 5), reading(B, T0, 2), reading(A, T0 + 1, 3), reading(A, T0 + MINUTE_MS + 1, 7)];
    assert.deepEqual(rollupBatch(batch, MINUTE_MS), [
      { topic: A, start: T0, min: 1, max: 3, sum: 4, count: 2 },
      { topic: B, start: T0, min: 2, max: 2, sum: 2, count: 1 },
      { topic: A, start: T0 + MINUTE_MS, min: 5, max: 7, sum: 12, count: 2 },
    ]);
  });

  it("stamps a fractional timestamp as the store does, to the whole millisecond", () => {
    assert.equal(rollupBatch([reading(A, T0 + MINUTE_MS - 0.6, 1)], MINUTE_MS)[0].start, T0);
    assert.equal(rollupBatch([reading(A, T0 + MINUTE_MS - 0.5, 1)], MINUTE_MS)[0].start, T0 + MINUTE_MS);
  });
});

describe("mergeRollups and bucketStart", () => {
  it("merges two partial buckets into the roll-up of all their readings", () => {
    const a = { topic: A, start: T0, min: 3, max: 9, sum: 24, count: 4 };
    const b = { topic: A, start: T0, min: -1, max: 5, sum: 4, count: 2 };
    assert.deepEqual(mergeRollups(a, b), { topic: A, start: T0, min: -1, max: 9, sum: 28, count: 6 });
  });

  // review-5 #2: Infinity + -Infinity is NaN (NULL in SQLite), which failed the shared write group forever.
  it("saturates a sum of finite readings at ±Number.MAX_VALUE, so two partial buckets never merge to NaN", () => {
    const big = 1.7e308;
    const up = rollupBatch([reading(A, T0, big), reading(A, T0 + 1, big)], MINUTE_MS)[0];
    const down = rollupBatch([reading(A, T0 + 2, -big), reading(A, T0 + 3, -big)], MINUTE_MS)[0];
    assert.deepEqual([up.sum, down.sum], [Number.MAX_VALUE, -Number.MAX_VALUE]);
    const merged = mergeRollups(up, down);
    assert.ok(Number.isFinite(merged.sum), `sum ${merged.sum}`);
    assert.deepEqual([merged.min, merged.max, merged.count], [-big, big, 4]);
  });

  it("aligns buckets on UTC boundaries", () => {
    assert.deepEqual([bucketStart(T0 + 59_999, MINUTE_MS), bucketStart(T0 + HOUR_MS + 1, HOUR_MS)], [T0, T0 + HOUR_MS]);
  });
});
