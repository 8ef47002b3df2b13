// The shared edge of the history route handlers: parse the request, reach the live
// store through the hub registry, answer failures with a code and a log line.
import { currentHistory } from "../hub-registry";
import { createLogger } from "../log";
import { topicMatches } from "../topics";
import { errorResponse, MAX_SERIES, parseHistoryRequest, type HistoryRequest } from "./request";
import type { HistorySeries, HistoryStore } from "./store";

const log = createLogger("api/history");

export async function serveHistory(
  request: Request,
  options: { allowWildcards: boolean },
  answer: (store: HistoryStore, req: HistoryRequest) => Promise<Response>,
): Promise<Response> {
  const parsed = parseHistoryRequest(new URL(request.url).searchParams, Date.now(), options.allowWildcards);
  if (!parsed.ok) return errorResponse("bad-request", parsed.message, 400);
  try {
    const history = await currentHistory();
    if (history === null) return errorResponse("hub-unavailable", "the hub is not running in this process", 503);
    return await answer(history, parsed.request);
  } catch (error) {
    log.error("history request failed", {
      topic: parsed.request.topic,
      error: error instanceof Error ? error.message : String(error),
    });
    // PostgreSQL history that is away says so (issue 14); the recorder keeps new readings meanwhile.
    if ((error as { code?: unknown }).code === "database-unreachable") {
      return errorResponse("database-unreachable", "the history database is not reachable; the hub keeps retrying", 503);
    }
    return errorResponse("history-failed", "the history store could not answer; see the hub's log", 500);
  }
}

/** The topics a filter names: itself when it has no wildcard, else every stored topic it matches. */
export async function resolveTopics(store: HistoryStore, filter: string): Promise<string[]> {
  if (!filter.includes("+") && !filter.includes("#")) return [filter];
  const stored = await store.topics();
  return stored
    .map((s) => s.topic)
    .filter((topic) => topicMatches(filter, topic))
    .slice(0, MAX_SERIES);
}

/** One series per topic the filter names, each within the point budget, on the same range. */
export async function querySeries(store: HistoryStore, req: HistoryRequest): Promise<HistorySeries[]> {
  const topics = await resolveTopics(store, req.topic);
  return Promise.all(topics.map((topic) => store.query({ topic, from: req.from, to: req.to, maxPoints: req.points })));
}
