// A chart is history from the hub up to the moment it was asked for, continued by
// the readings the browser has received live. The two overlap around that moment,
// and their clocks differ: the history is in hub time, live points in browser time.
import type { HistoryPoint } from "./history/store";

export type SeriesPoint = { readonly t: number; readonly v: number };

export type MergeOptions = {
  /** Hub clock minus browser clock, from `estimateClockOffset`. */
  clockOffsetMs: number;
  /** Points before this hub time are dropped. */
  windowStart: number;
  /** How far apart in time a live point and a history point of equal value may be and still be one reading. */
  toleranceMs?: number;
};

/**
 * Hub clock minus browser clock, in ms. The hub read its clock (`serverNow`)
 * somewhere between the browser sending the request and receiving the answer;
 * the midpoint of the round trip is the best guess, off by at most half of it.
 */
export function estimateClockOffset(serverNow: number, sentAt: number, receivedAt: number): number {
  return Math.round(serverNow - (sentAt + receivedAt) / 2);
}

/**
 * History first, then the live points that are newer than it, in hub time: sorted,
 * no two points at the same t. A live point is dropped when it is not newer than
 * the last history point, or when a history point of the same value lies within
 * the tolerance (the same reading, seen through both paths with clocks that
 * disagree a little). A gap between the two is kept: nothing is invented.
 */
export function mergeHistoryWithLive(
  history: readonly HistoryPoint[],
  live: readonly SeriesPoint[],
  { clockOffsetMs, windowStart, toleranceMs = 1000 }: MergeOptions,
): HistoryPoint[] {
  const merged: HistoryPoint[] = [];
  let lastT = -Infinity;
  // History arrives oldest first; a point out of order or at a repeated t is dropped
  // rather than trusted, so the output stays a function of t.
  for (const point of history) {
    if (point.t < windowStart || point.t <= lastT) continue;
    merged.push(point);
    lastT = point.t;
  }
  const historyCount = merged.length;

  // Receive times can step back when the browser's clock is corrected: sort them.
  const shifted = live
    .map((point) => ({ t: point.t + clockOffsetMs, v: point.v }))
    .sort((a, b) => a.t - b.t);

  for (const point of shifted) {
    if (point.t < windowStart || point.t <= lastT) continue;
    if (isInHistory(merged, historyCount, point, toleranceMs)) continue;
    merged.push(point);
    lastT = point.t;
  }
  return merged;
}

/** Every live point that gets here is newer than all history, so only the tail can match. */
function isInHistory(
  history: readonly HistoryPoint[],
  count: number,
  point: SeriesPoint,
  toleranceMs: number,
): boolean {
  for (let i = count - 1; i >= 0 && point.t - history[i].t <= toleranceMs; i--) {
    if (history[i].v === point.v) return true;
  }
  return false;
}
