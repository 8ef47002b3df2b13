// The charts' queries over any history store: the hub's own (the bench) or the web
// thread's read-only reader (the route handlers, through serve.ts).
import { topicMatches } from "../topics";
import { MAX_SERIES, type HistoryRequest } from "./request";
import type { HistoryPoint, HistoryQuery, HistorySeries, HistoryStore } from "./store";
import type { TierChoice } from "./tiers";

/** A bucket as both stores' bucketing queries return it: its index counted from the range's start. */
export type BucketRow = { bucket: number; v: number; min: number; max: number };

/** The answer for a range that holds no readings of the topic. */
export const emptySeries = ({ topic, from, to }: Pick<HistoryQuery, "topic" | "from" | "to">): HistorySeries => ({ topic, unit: "", from, to, bucketMs: 0, tier: "raw", points: [] });

/** A series of bucket rows read from `tier`: empty when the range held no readings. */
export function bucketedSeries(empty: HistorySeries, unit: string, { tier, bucketMs }: TierChoice, rows: readonly BucketRow[]): HistorySeries {
  if (rows.length === 0) return empty;
  const points: HistoryPoint[] = rows.map(({ bucket, v, min, max }) => ({ t: empty.from + bucket * bucketMs, v, min, max }));
  return { ...empty, unit, bucketMs, tier, points };
}

/** What the chart queries need of a store. */
type SeriesSource = Pick<HistoryStore, "topics" | "query">;

/** The topics a filter names: itself when it has no wildcard, else every stored topic it matches. */
export async function resolveTopics(store: SeriesSource, filter: string): Promise<string[]> {
  if (!filter.includes("+") && !filter.includes("#")) return [filter];
  const stored = await store.topics();
  return stored
    .map((s) => s.topic)
    .filter((topic) => topicMatches(filter, topic))
    .slice(0, MAX_SERIES);
}

/** One series per topic the filter names, each within the point budget, on the same range. */
export async function querySeries(store: SeriesSource, req: HistoryRequest): Promise<HistorySeries[]> {
  const topics = await resolveTopics(store, req.topic);
  return Promise.all(topics.map((topic) => store.query({ topic, from: req.from, to: req.to, maxPoints: req.points })));
}
