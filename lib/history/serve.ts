// The shared edge of the history route handlers (serve-with.ts), reading through the web
// thread's own read-only connection (lib/hub-link.ts).
import { getHub } from "../hub-link";
import type { HistoryRequest } from "./request";
import { serveHistoryWith } from "./serve-with";
import type { HistoryReader } from "./store";

export { querySeries, readSeriesInto, resolveTopics } from "./series";

export function serveHistory(
  request: Request,
  options: { allowWildcards: boolean },
  answer: (store: HistoryReader, req: HistoryRequest) => Promise<Response>,
): Promise<Response> {
  return serveHistoryWith(getHub()?.history ?? null, request, options, answer);
}
