// The charts' queries over any history store: the hub's own (the bench) or the web
// thread's read-only reader (the route handlers, through serve.ts).
import { topicMatches } from "../topics";
import { MAX_SERIES, type HistoryRequest } from "./request";
import { seriesInOrder } from "./series-order";
import type { HistoryQuery, HistoryReads, HistorySeries, HistoryStore, SeriesHead, SeriesSink } from "./store";
import type { TierChoice } from "./tiers";

/** A bucket as both stores' bucketing queries return it: its index counted from the range's start. */
export type BucketRow = { bucket: number; v: number; min: number; max: number };

/** The head of the answer for a range that holds no readings of the topic (no points follow it). */
export const emptyHead = ({ topic, from, to }: Pick<HistoryQuery, "topic" | "from" | "to">): SeriesHead => ({ topic, unit: "", from, to, bucketMs: 0, tier: "raw" });

/** Hands bucket rows to `into`: the head once, then each bucket's point at its start. An empty range's head when there are none. */
export function bucketsInto(into: SeriesSink, q: HistoryQuery, unit: string, { tier, bucketMs }: TierChoice, rows: Iterable<BucketRow>): void {
  let first = true;
  for (const { bucket, v, min, max } of rows) {
    if (first) into.head({ ...emptyHead(q), unit, bucketMs, tier });
    first = false;
    into.point(q.from + bucket * bucketMs, v, min, max);
  }
  if (first) into.head(emptyHead(q));
}

/** A store's readSeries as the HistorySeries its query answers: one object per point. */
export async function collectSeries(read: (into: SeriesSink) => Promise<void>): Promise<HistorySeries> {
  let series: HistorySeries | null = null;
  await read({
    head(head) {
      series = { ...head, points: [] };
    },
    point(t, v, min, max) {
      series!.points.push(series!.bucketMs === 0 ? { t, v } : { t, v, min, max });
    },
  });
  if (series === null) throw new Error("history: a store's readSeries gave no head");
  return series;
}

/** What the chart queries need of a store. */
type SeriesSource = Pick<HistoryStore, "topics" | "query">;

/**
 * The topics a filter names: itself when it has no wildcard, else every stored topic it
 * matches. The exports take every one (review-16 F12: the raw CSV of home/# kept 24).
 */
export async function resolveTopics(store: Pick<HistoryStore, "topics">, filter: string): Promise<string[]> {
  if (!filter.includes("+") && !filter.includes("#")) return [filter];
  const stored = await store.topics();
  return stored.map((s) => s.topic).filter((topic) => topicMatches(filter, topic));
}

/** The topics one chart draws: the first MAX_SERIES a filter names. */
const chartTopics = async (store: Pick<HistoryStore, "topics">, filter: string) => (await resolveTopics(store, filter)).slice(0, MAX_SERIES);

/** One series per topic the filter names, each within the point budget, on the same range. */
export async function querySeries(store: SeriesSource, req: HistoryRequest): Promise<HistorySeries[]> {
  const topics = await chartTopics(store, req.topic);
  return Promise.all(topics.map((topic) => store.query({ topic, from: req.from, to: req.to, maxPoints: req.points })));
}

/**
 * The same series as querySeries, handed to `into` in topic order as they are read (the
 * route's JSON, series-json.ts), with no object per point. Read at once, as querySeries does.
 */
export async function readSeriesInto(store: Pick<HistoryReads, "topics" | "readSeries">, req: HistoryRequest, into: SeriesSink): Promise<void> {
  const topics = await chartTopics(store, req.topic);
  const order = seriesInOrder(into, topics.length);
  await Promise.all(
    topics.map(async (topic, i) => {
      await store.readSeries({ topic, from: req.from, to: req.to, maxPoints: req.points }, order.sink(i));
      order.done(i);
    }),
  );
}
