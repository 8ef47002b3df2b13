// The history route handlers' shared edge, given the reader to use: parse the request,
// read, answer failures with a code and a log line. serve.ts hands it the web thread's
// own reader (lib/hub-link.ts); the route tests hand it one over a real SQLite file.
import { createLogger } from "../log";
import { HISTORY_UNREADABLE } from "./reader-wire";
import { errorResponse, parseHistoryRequest, type HistoryRequest } from "./request";
import type { HistoryReader } from "./store";

const log = createLogger("api/history");

/** Thrown by an answer whose client went away before it was ready (request.signal aborted). */
export const CLIENT_GONE = "client-gone";

export async function serveHistoryWith(
  history: HistoryReader | null,
  request: Request,
  options: { allowWildcards: boolean },
  answer: (store: HistoryReader, req: HistoryRequest) => Promise<Response>,
): Promise<Response> {
  const parsed = parseHistoryRequest(new URL(request.url).searchParams, Date.now(), options.allowWildcards);
  if (!parsed.ok) return errorResponse("bad-request", parsed.message, 400);
  try {
    if (history === null) return errorResponse("hub-unavailable", "the hub is not running in this process", 503);
    return await answer(history, parsed.request);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // Nobody reads this answer; the reads it would have made are not made (review-14 F5).
    if (code === CLIENT_GONE) {
      log.info("history request abandoned by its client", { topic: parsed.request.topic, code: CLIENT_GONE });
      return errorResponse(CLIENT_GONE, "the client went away before the answer was ready", 499);
    }
    log.error("history request failed", {
      topic: parsed.request.topic,
      error: error instanceof Error ? error.message : String(error),
    });
    // PostgreSQL history that is away says so (issue 14); the recorder keeps new readings meanwhile.
    if (code === "database-unreachable") {
      return errorResponse("database-unreachable", "the history database is not reachable; the hub keeps retrying", 503);
    }
    // SQLite history its reader threads cannot open (a file gone or unreadable); each read tries again.
    if (code === HISTORY_UNREADABLE) {
      return errorResponse(HISTORY_UNREADABLE, "the history database cannot be opened for reading; see the hub's log", 503);
    }
    return errorResponse("history-failed", "the history store could not answer; see the hub's log", 500);
  }
}

/** Throws CLIENT_GONE when `signal` has aborted: between two reads, so the next is not made. */
export function stopIfGone(signal: AbortSignal): void {
  if (signal.aborted) throw Object.assign(new Error("history: the client went away"), { code: CLIENT_GONE });
}
