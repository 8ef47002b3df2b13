// Pure statistics over samples: percentiles of latencies, and the median and range of
// a figure over repetitions. No I/O, so the table's arithmetic is tested on its own.

/**
 * The p-th percentile (0–100) by the nearest-rank method: the smallest sample with at
 * least p % of the samples at or below it. A reported p99 is thus a latency that was
 * really observed, never an interpolation between two. NaN for no samples.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0–100, got ${p}`);
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** The middle sample, or the mean of the two middle ones. NaN for no samples. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export type Summary = { median: number; min: number; max: number; n: number };

/** Median and range of a figure over repetitions; non-finite samples (failed runs) are left out. */
export function summarize(samples: readonly number[]): Summary {
  const finite = samples.filter(Number.isFinite);
  if (finite.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite), n: finite.length };
}

export type LatencySummary = { p50: number; p95: number; p99: number; max: number; n: number };

export function latencySummary(samples: readonly number[]): LatencySummary {
  return {
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    max: samples.length === 0 ? NaN : Math.max(...samples),
    n: samples.length,
  };
}

/** a / b, or NaN when either is missing or b is zero: a ratio that cannot be known is not 0 or ∞. */
export function ratio(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return NaN;
  return a / b;
}

/**
 * Frames lost between rAF callbacks: a gap of n frame intervals means n − 1 frames
 * were not drawn. Gaps are rounded to whole frames so timer jitter is not a drop.
 */
export function droppedFrames(frameTimes: readonly number[], frameMs = 1000 / 60): number {
  let dropped = 0;
  for (let i = 1; i < frameTimes.length; i++) {
    const frames = Math.round((frameTimes[i] - frameTimes[i - 1]) / frameMs);
    if (frames > 1) dropped += frames - 1;
  }
  return dropped;
}

/**
 * Latency of each publish until its value, or a newer one of the same topic, was
 * shown: at a frame's flush only a topic's newest reading is drawn, so a superseded
 * one was on screen as soon as its successor. Values count up per topic. Returns the
 * latencies and how many publishes were never shown.
 */
export function matchLatencies(
  sent: readonly { topic: string; value: number; at: number }[],
  shown: readonly { topic: string; value: number; at: number }[],
): { latencies: number[]; missing: number } {
  const byTopic = new Map<string, { value: number; at: number }[]>();
  for (const s of shown) {
    let list = byTopic.get(s.topic);
    if (!list) byTopic.set(s.topic, (list = []));
    list.push(s);
  }
  const latencies: number[] = [];
  let missing = 0;
  for (const s of sent) {
    const list = byTopic.get(s.topic);
    const hit = list?.find((x) => x.value >= s.value);
    if (hit) latencies.push(Math.max(0, hit.at - s.at));
    else missing++;
  }
  return { latencies, missing };
}
