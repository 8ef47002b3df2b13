// The shared edge of the history route handlers: parse the request, read through the
// web thread's own read-only connection (lib/hub-link.ts), answer failures with a code
// and a log line.
import { getHub } from "../hub-link";
import { createLogger } from "../log";
import { HISTORY_UNREADABLE } from "./reader-wire";
import { errorResponse, parseHistoryRequest, type HistoryRequest } from "./request";
import type { HistoryReader } from "./store";

export { querySeries, readSeriesInto, resolveTopics } from "./series";

const log = createLogger("api/history");

export async function serveHistory(
  request: Request,
  options: { allowWildcards: boolean },
  answer: (store: HistoryReader, req: HistoryRequest) => Promise<Response>,
): Promise<Response> {
  const parsed = parseHistoryRequest(new URL(request.url).searchParams, Date.now(), options.allowWildcards);
  if (!parsed.ok) return errorResponse("bad-request", parsed.message, 400);
  try {
    const history = getHub()?.history ?? null;
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
    // SQLite history its reader threads cannot open (a file gone or unreadable); each read tries again.
    if ((error as { code?: unknown }).code === HISTORY_UNREADABLE) {
      return errorResponse(HISTORY_UNREADABLE, "the history database cannot be opened for reading; see the hub's log", 503);
    }
    return errorResponse("history-failed", "the history store could not answer; see the hub's log", 500);
  }
}
