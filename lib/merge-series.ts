// A chart is history from the hub up to the moment it was asked for, continued by
// the readings the browser has received live. The two overlap around that moment,
// and their clocks differ: the history is in hub time, live points in browser time.
import type { HistoryPoint } from "./history/store";

export type SeriesPoint = { readonly t: number; readonly v: number };

export type MergeOptions = {
  /** Hub clock minus browser clock, from `estimateClockOffset`. */
  clockOffsetMs: number;
  /**
   * How far `clockOffsetMs` may be off: half the round trip it was measured over
   * (`clockUncertainty`). A history request that waited seconds for a busy hub puts
   * every live point up to that much late or early in hub time.
   */
  clockUncertaintyMs?: number;
  /** Points before this hub time are dropped. */
  windowStart: number;
  /** How long a reading may take from the hub to the page: a live point is that much later than its history twin. */
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

/** The most `estimateClockOffset` can be off: half the round trip. */
export function clockUncertainty(sentAt: number, receivedAt: number): number {
  return Math.ceil(Math.max(0, receivedAt - sentAt) / 2);
}

/**
 * History first, then the live points that are newer than it, in hub time: sorted,
 * no two points at the same t. A live point is dropped when it is not newer than
 * the last history point (history has it), or when it is one of the readings at the
 * end of history seen again live: the live points just after the seam are matched,
 * in order and one for one, against the last history points, by value and within
 * the tolerance plus the clock estimate's uncertainty. One for one, so a sensor that
 * repeats its value is not swallowed. A gap between the two is kept: nothing is invented.
 */
export function mergeHistoryWithLive(
  history: readonly HistoryPoint[],
  live: readonly SeriesPoint[],
  { clockOffsetMs, clockUncertaintyMs = 0, windowStart, toleranceMs = 1000 }: MergeOptions,
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

  // Receive times can step back when the browser's clock is corrected: sort them.
  const newer = live
    .map((point) => ({ t: point.t + clockOffsetMs, v: point.v }))
    .sort((a, b) => a.t - b.t)
    .filter((point) => point.t >= windowStart && point.t > lastT);

  const seen = seenAgain(merged, newer, toleranceMs + clockUncertaintyMs);
  for (const point of newer.slice(seen)) {
    if (point.t <= lastT) continue;
    merged.push(point);
    lastT = point.t;
  }
  return merged;
}

/**
 * How many of the first live points are history's last readings delivered live: the
 * longest run of them equal in value, in order, to the tail of history, each within
 * `withinMs` after its history twin. The page receives a topic's readings in the
 * order the hub stored them, so the overlap is a tail of one and a head of the other.
 * Inside a run of equal values every length fits equally well (review 6 #7): one is
 * taken, the smallest lag, since a repeat kept twice draws the same flat line while a
 * new reading dropped ends the chart early. O(k log k) for k history points in reach.
 */
function seenAgain(history: readonly HistoryPoint[], live: readonly SeriesPoint[], withinMs: number): number {
  const k = longestOverlap(
    history.slice(history.length - inReach(history, live, withinMs)).map((point) => point.v),
    live.map((point) => point.v),
  );
  return k > 0 && k <= equalTail(history) ? 1 : k;
}

/**
 * The longest overlap whose pairs all lie within `withinMs`. A shorter overlap pairs
 * each live point with a later history point, so whatever fits, all shorter fit too.
 */
function inReach(history: readonly HistoryPoint[], live: readonly SeriesPoint[], withinMs: number): number {
  const fits = (k: number) => {
    for (let i = 0; i < k; i++) if (live[i].t - history[history.length - k + i].t > withinMs) return false;
    return true;
  };
  let low = 0;
  let high = Math.min(history.length, live.length);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** The longest head of `head` that `tail` ends with (Knuth-Morris-Pratt), at most tail's length. */
function longestOverlap(tail: readonly number[], head: readonly number[]): number {
  const pattern = head.slice(0, tail.length);
  const border = [0];
  for (let i = 1, q = 0; i < pattern.length; i++) {
    while (q > 0 && pattern[i] !== pattern[q]) q = border[q - 1];
    if (pattern[i] === pattern[q]) q++;
    border.push(q);
  }
  let q = 0;
  for (const value of tail) {
    if (q === pattern.length) q = border[q - 1];
    while (q > 0 && value !== pattern[q]) q = border[q - 1];
    if (value === pattern[q]) q++;
  }
  return q;
}

/** How many of history's last points share the last one's value. */
function equalTail(history: readonly HistoryPoint[]): number {
  let run = 0;
  while (run < history.length && history[history.length - 1 - run].v === history[history.length - 1].v) run++;
  return run;
}
