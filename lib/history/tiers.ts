// Which tier answers a query, pure and table-tested (tiers.test.ts).
//
// The ideal bucket is ceil(span / maxPoints). A tier whose rows are W ms wide can
// only make buckets that are whole multiples of W, so it is used when W ≤ 2 × ideal:
// the answer then keeps at least about half the budget's points. The coarsest such
// tier is the cheapest to read. A tier is only eligible where it still holds data:
// raw rows before the raw horizon (the last prune's cutoff) are gone, and so on.
import { TIER_WIDTH_MS } from "./rollup";
import type { Tier } from "./store";

/** Per tier, the oldest time it still holds rows for (epoch ms); 0 when never pruned. */
export type Horizons = Readonly<Record<Tier, number>>;

export type TierChoice = { tier: Tier; bucketMs: number };

const FINEST_FIRST: readonly Tier[] = ["raw", "minute", "hour"];

export function idealBucketMs(from: number, to: number, maxPoints: number): number {
  return Math.ceil((to - from + 1) / maxPoints);
}

export function chooseTier(from: number, to: number, maxPoints: number, horizons: Horizons): TierChoice {
  const ideal = idealBucketMs(from, to, maxPoints);
  const available = FINEST_FIRST.filter((tier) => from >= horizons[tier]);
  // Nothing holds the whole range: the coarsest tier keeps the longest history.
  const candidates = available.length > 0 ? available : ["hour" as const];
  let tier = candidates[0];
  for (const t of candidates) {
    if (TIER_WIDTH_MS[t] <= 2 * ideal) tier = t;
  }
  const width = TIER_WIDTH_MS[tier];
  return { tier, bucketMs: width === 0 ? ideal : Math.ceil(ideal / width) * width };
}
