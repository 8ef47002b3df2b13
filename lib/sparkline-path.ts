// The geometry of a sparkline, as plain functions: the value range to draw and the
// SVG path of a series. Drawn by components/sparkline.tsx without a chart library,
// because a wall of live tiles re-draws hundreds of sparklines a second and recharts
// costs milliseconds each (bench/README.md, "dashboard under load").

export type PathPoint = { readonly t: number; readonly v: number };

/** The lowest and highest value of a series; null for none. */
export function extent(series: readonly PathPoint[]): [min: number, max: number] | null {
  if (series.length === 0) return null;
  let min = Infinity;
  let max = -Infinity;
  for (const { v } of series) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

/**
 * A value range with some air around the line, at least `minSpan` wide about its
 * middle (lib/chart-scale.ts, per unit): a humidity flicking between 38 and 39 %
 * draws a ripple, not a full-height square wave (issue 15).
 */
export function valueDomain(series: readonly PathPoint[], minSpan = 0): [number, number] {
  const range = extent(series);
  if (!range) return [0, 1];
  const [min, max] = range;
  if (max - min < minSpan) {
    const mid = (min + max) / 2;
    return [mid - minSpan / 2, mid + minSpan / 2];
  }
  const pad = max > min ? (max - min) * 0.1 : Math.abs(max) * 0.05 || 1;
  return [min - pad, max + pad];
}

export type Frame = {
  domain: readonly [from: number, to: number];
  values: readonly [min: number, max: number];
  width: number;
  height: number;
};

/** Where a point lands in a width × height box: time left to right, value bottom to top. */
export function project({ t, v }: PathPoint, { domain, values, width, height }: Frame): [x: number, y: number] {
  const span = domain[1] - domain[0];
  const range = values[1] - values[0];
  const x = span > 0 ? ((t - domain[0]) / span) * width : width;
  const y = range > 0 ? height - ((v - values[0]) / range) * height : height / 2;
  return [x, y];
}

const round = (x: number) => Math.round(x * 10) / 10;

/** "M x,y L x,y …" through every point, in order; empty for no points. */
export function linePath(series: readonly PathPoint[], frame: Frame): string {
  let d = "";
  for (const point of series) {
    const [x, y] = project(point, frame);
    d += `${d ? " L" : "M"}${round(x)},${round(y)}`;
  }
  return d;
}

/** The index of the point nearest in time to `t` (series sorted by t); -1 for none. */
export function nearestIndex(series: readonly PathPoint[], t: number): number {
  if (series.length === 0) return -1;
  let lo = 0;
  let hi = series.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (series[mid].t < t) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && t - series[lo - 1].t <= series[lo].t - t) return lo - 1;
  return lo;
}
