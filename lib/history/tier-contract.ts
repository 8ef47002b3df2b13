// The tiered half of the HistoryStore contract (issue 6): roll-ups agree with the raw
// readings they summarise, pruning moves each tier's horizon, and queries pick the tier
// by themselves. Called from historyStoreContract, inside its describe block.
import assert from "node:assert/strict";
import { it } from "node:test";
import type { Reading } from "../readings";
import { ATTIC, KITCHEN, reading, series, T0, wobble } from "./contract-fixtures";
import { HOUR_MS, MINUTE_MS } from "./rollup";
import type { HistoryPoint, HistoryStore } from "./store";

/** What a bucketed answer must be, computed straight from the raw readings. */
function expectedBuckets(readings: readonly Reading[], topic: string, from: number, to: number, bucketMs: number) {
  const buckets = new Map<number, number[]>();
  for (const r of readings) {
    if (r.topic !== topic || r.ts < from || r.ts > to) continue;
    const b = Math.floor((r.ts - from) / bucketMs);
    buckets.set(b, [...(buckets.get(b) ?? []), r.value]);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([b, vs]) => ({
      t: from + b * bucketMs,
      v: vs.reduce((sum, v) => sum + v, 0) / vs.length,
      min: Math.min(...vs),
      max: Math.max(...vs),
    }));
}

function assertPointsClose(actual: readonly HistoryPoint[], expected: readonly HistoryPoint[]): void {
  assert.equal(actual.length, expected.length, "point count");
  actual.forEach((p, i) => {
    const e = expected[i];
    assert.deepEqual([p.t, p.min, p.max], [e.t, e.min, e.max], `point ${i}`);
    assert.ok(Math.abs(p.v - e.v) < 1e-9, `point ${i}: mean ${p.v} ≠ ${e.v}`);
  });
}

/** Appends in batches of `size`, so roll-up rows are merged across appends. */
async function appendInBatches(store: HistoryStore, readings: readonly Reading[], size: number) {
  for (let i = 0; i < readings.length; i += size) await store.append(readings.slice(i, i + size));
}

export function tierContract(getStore: () => HistoryStore): void {
  it("answers from per-minute roll-ups that agree with the raw readings", async () => {
    const store = getStore();
    // Three hours, a reading every 7 s (minutes hold 8 or 9), two topics interleaved.
    const attic = series(ATTIC, 1543, wobble, 7000);
    const kitchen = series(KITCHEN, 1543, (i) => wobble(i + 7), 7000);
    const all = attic.flatMap((r, i) => [r, kitchen[i]]);
    await appendInBatches(store, all, 97);

    const from = T0;
    const to = T0 + 3 * HOUR_MS - 1;
    const result = await store.query({ topic: ATTIC, from, to, maxPoints: 90 });
    assert.deepEqual([result.tier, result.bucketMs], ["minute", 2 * MINUTE_MS]);
    assertPointsClose(result.points, expectedBuckets(all, ATTIC, from, to, 2 * MINUTE_MS));
  });

  it("answers from per-hour roll-ups that agree with the raw readings", async () => {
    const store = getStore();
    const readings = series(ATTIC, 3 * 24 * 60, wobble, MINUTE_MS);
    await appendInBatches(store, readings, 500);
    const to = T0 + 72 * HOUR_MS - 1;
    const result = await store.query({ topic: ATTIC, from: T0, to, maxPoints: 36 });
    assert.deepEqual([result.tier, result.bucketMs], ["hour", 2 * HOUR_MS]);
    assertPointsClose(result.points, expectedBuckets(readings, ATTIC, T0, to, 2 * HOUR_MS));
  });

  it("keeps raw readings while they fit the budget, whatever the range", async () => {
    const store = getStore();
    await store.append([reading(ATTIC, T0, 20), reading(ATTIC, T0 + 20 * 24 * HOUR_MS, 22)]);
    const result = await store.query({ topic: ATTIC, from: T0, to: T0 + 30 * 24 * HOUR_MS, maxPoints: 100 });
    assert.deepEqual([result.tier, result.points], ["raw", [{ t: T0, v: 20 }, { t: T0 + 20 * 24 * HOUR_MS, v: 22 }]]);
  });

  it("prunes raw readings by the cutoff, and answers older ranges from the roll-ups", async () => {
    const store = getStore();
    // Two hours of one reading a minute; the first hour's raw readings are pruned.
    const readings = series(ATTIC, 120, (i) => i, MINUTE_MS);
    await store.append([...readings, reading(KITCHEN, T0, 40, "%")]);
    const counts = await store.prune({ raw: T0 + HOUR_MS });
    assert.deepEqual(counts, { raw: 61, minute: 0, hour: 0 });
    assert.deepEqual(await store.prune({ raw: T0 + HOUR_MS }), { raw: 0, minute: 0, hour: 0 });

    const recent = await store.query({ topic: ATTIC, from: T0 + HOUR_MS, to: T0 + 2 * HOUR_MS, maxPoints: 1000 });
    assert.equal(recent.tier, "raw");
    assert.equal(recent.points.length, 60);

    // The range reaches before the raw horizon: the minute tier still holds all of it.
    const whole = await store.query({ topic: ATTIC, from: T0, to: T0 + 2 * HOUR_MS - 1, maxPoints: 1000 });
    assert.deepEqual([whole.tier, whole.bucketMs, whole.points.length], ["minute", MINUTE_MS, 120]);
    assert.deepEqual(whole.points[0], { t: T0, v: 0, min: 0, max: 0 });
    assert.deepEqual(await store.readRaw({ topic: ATTIC, from: T0, to: T0 + HOUR_MS - 1, limit: 10 }), []);
  });

  it("stops pruning when its signal is aborted, and the next prune finishes the job", async () => {
    const store = getStore();
    await store.append(series(ATTIC, 10, (i) => i, MINUTE_MS));
    const abort = new AbortController();
    abort.abort();
    const stopped = await store.prune({ raw: T0 + HOUR_MS }, { signal: abort.signal });
    assert.deepEqual(stopped, { raw: 0, minute: 0, hour: 0 });
    assert.deepEqual(await store.prune({ raw: T0 + HOUR_MS }), { raw: 10, minute: 0, hour: 0 });
  });

  it("prunes minute and hour roll-ups by their own cutoffs", async () => {
    const store = getStore();
    await store.append(series(ATTIC, 3 * 60, (i) => i % 7, MINUTE_MS));
    const counts = await store.prune({ minute: T0 + 2 * HOUR_MS, hour: T0 + HOUR_MS });
    assert.deepEqual(counts, { raw: 0, minute: 120, hour: 1 });
    assert.deepEqual((await store.size()).rows, { raw: 180, minute: 60, hour: 2 });
  });

  it("reads raw readings of a range, oldest first, up to the limit", async () => {
    const store = getStore();
    await store.append([reading(ATTIC, T0 + 2000, 2), reading(ATTIC, T0, 0), reading(ATTIC, T0 + 1000, 1)]);
    assert.deepEqual(await store.readRaw({ topic: ATTIC, from: T0, to: T0 + 5000, limit: 2 }), [
      { t: T0, v: 0 },
      { t: T0 + 1000, v: 1 },
    ]);
    assert.deepEqual(await store.readRaw({ topic: "home/cellar/temperature", from: T0, to: T0 + 5000, limit: 5 }), []);
    await assert.rejects(store.readRaw({ topic: ATTIC, from: T0, to: T0 + 5000, limit: 0 }), RangeError);
  });

  it("lists every stored topic with its unit, and counts what it holds", async () => {
    const store = getStore();
    await store.append([reading(KITCHEN, T0, 40, "%"), reading(ATTIC, T0, 20), reading(ATTIC, T0 + 90_000, 21)]);
    assert.deepEqual(await store.topics(), [
      { topic: ATTIC, unit: "°C" },
      { topic: KITCHEN, unit: "%" },
    ]);
    const size = await store.size();
    assert.deepEqual([size.topics, size.rows], [2, { raw: 3, minute: 3, hour: 2 }]);
    assert.ok(size.bytes > 0 && size.freeBytes >= 0 && size.freeBytes < size.bytes);
  });

  it("rolls back a failed batch's roll-ups with its readings", async () => {
    const store = getStore();
    await store.append([reading(ATTIC, T0, 20)]);
    await assert.rejects(store.append([reading(ATTIC, T0 + 1000, 90), reading(ATTIC, T0 + 2000, Number.NaN)]));
    await store.prune({ raw: T0 + HOUR_MS });
    const { tier, points } = await store.query({ topic: ATTIC, from: T0, to: T0 + HOUR_MS - 1, maxPoints: 10 });
    assert.deepEqual([tier, points], ["minute", [{ t: T0, v: 20, min: 20, max: 20 }]]);
  });
}
