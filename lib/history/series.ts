// The charts' queries over any history store: the hub's own (the bench) or the web
// thread's read-only reader (the route handlers, through serve.ts).
import { topicMatches } from "../topics";
import { MAX_SERIES, type HistoryRequest } from "./request";
import type { HistorySeries, HistoryStore } from "./store";

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
