// Gaps drawn as gaps (issue 6): a chart must not draw a line across an outage.
// Pure; the chart breaks its line at a point whose value is null.

export type GapPoint = { t: number; v: null };

/** The median distance between neighbouring points; 0 for fewer than two. */
export function medianStep(points: readonly { t: number }[]): number {
  if (points.length < 2) return 0;
  const steps = points.slice(1).map((p, i) => p.t - points[i].t).sort((a, b) => a - b);
  return steps[Math.floor(steps.length / 2)];
}

/**
 * Inserts a break (`{t, v: null}`) midway between two points further apart than a
 * gap: three times the series' usual step, and for bucketed points at least two
 * buckets (one empty bucket is a slow sensor, not an outage).
 */
export function withGaps<P extends { t: number }>(points: readonly P[], bucketMs: number): (P | GapPoint)[] {
  if (points.length < 3) return [...points];
  const threshold = Math.max(3 * medianStep(points), 2 * bucketMs);
  const out: (P | GapPoint)[] = [points[0]];
  for (let i = 1; i < points.length; i++) {
    const gap = points[i].t - points[i - 1].t;
    if (gap > threshold) out.push({ t: points[i - 1].t + Math.round(gap / 2), v: null });
    out.push(points[i]);
  }
  return out;
}
