// Roll-up maths, pure: a batch of readings → min / max / sum / count per topic and
// bucket. The store merges these into its roll-up tables; keeping the sum (not the
// mean) makes merging two partial buckets exact: mean = sum / count.
import type { Reading } from "../readings";
import type { Tier } from "./store";

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/** Bucket width of each tier; 0 for raw readings. */
export const TIER_WIDTH_MS: Readonly<Record<Tier, number>> = { raw: 0, minute: MINUTE_MS, hour: HOUR_MS };

export type Rollup = { topic: string; start: number; min: number; max: number; sum: number; count: number };

/** The start of the UTC-aligned bucket of `width` ms holding `ts`. */
export function bucketStart(ts: number, width: number): number {
  return Math.floor(ts / width) * width;
}

/**
 * A roll-up's sum saturates at ±Number.MAX_VALUE (review-5 #2): readings are finite, but
 * two near the limit overflow to Infinity, and Infinity + -Infinity is NaN, which SQLite
 * stores as NULL and the NOT NULL column refuses, failing the whole write group. A
 * saturated sum makes that bucket's mean wrong, for values no real sensor sends; min,
 * max and count stay exact. The stores clamp their SQL merge the same way.
 */
export function addSums(a: number, b: number): number {
  return Math.min(Math.max(a + b, -Number.MAX_VALUE), Number.MAX_VALUE);
}

/**
 * One roll-up per topic and bucket the batch touches: each topic's first bucket in
 * first-seen order, then any other bucket of a topic (a batch across a bucket's edge).
 * Keyed by topic, not by a `${start} ${topic}` string made per reading: that string was
 * garbage on the hub's hottest path (issue 12), and a batch's readings of one topic
 * nearly always share a bucket.
 */
export function rollupBatch(readings: readonly Reading[], width: number): Rollup[] {
  const byTopic = new Map<string, Rollup>();
  let later: Map<string, Rollup> | null = null;
  for (const { topic, ts, value } of readings) {
    const start = bucketStart(Math.round(ts), width);
    let r = byTopic.get(topic);
    if (r === undefined) {
      byTopic.set(topic, { topic, start, min: value, max: value, sum: value, count: 1 });
      continue;
    }
    if (r.start !== start) {
      const key = `${start} ${topic}`;
      r = (later ??= new Map()).get(key);
      if (r === undefined) {
        later.set(key, { topic, start, min: value, max: value, sum: value, count: 1 });
        continue;
      }
    }
    if (value < r.min) r.min = value;
    if (value > r.max) r.max = value;
    r.sum = addSums(r.sum, value);
    r.count++;
  }
  return later === null ? [...byTopic.values()] : [...byTopic.values(), ...later.values()];
}

/** Two roll-ups of the same topic and bucket as one. */
export function mergeRollups(a: Rollup, b: Rollup): Rollup {
  return {
    topic: a.topic,
    start: a.start,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
    sum: addSums(a.sum, b.sum),
    count: a.count + b.count,
  };
}
