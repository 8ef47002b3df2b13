// GET /api/history/raw's answer (app/api/history/raw/route.ts), given the reader: the raw
// readings of a range as CSV, for every topic a filter names, streamed as they are read
// (csv-stream.ts). A client that goes away stops the reads (issue 13; review-14 F5):
// during the count, between two topics' counts (request.signal); during the stream, before
// the next chunk's query (the body cancelled, or request.signal).
import { csvFileName } from "./csv";
import { rawCsvStream } from "./csv-stream";
import { exportTimeZone } from "./csv-time";
import { csvResponse, errorResponse } from "./request";
import { resolveTopics } from "./series";
import { serveHistoryWith, stopIfGone } from "./serve-with";
import type { HistoryReader } from "./store";

/** 48 h of a sensor publishing once a second is 172,800 rows; this bounds one export's time, not its memory. */
export const MAX_RAW_ROWS = 1_000_000;

export function exportRaw(history: HistoryReader | null, request: Request): Promise<Response> {
  const zone = exportTimeZone(new URL(request.url).searchParams);
  if (zone === null) return Promise.resolve(errorResponse("bad-time-zone", "tz: must name a time zone, such as Europe/Berlin or UTC", 400));
  const { signal } = request;
  return serveHistoryWith(history, request, { allowWildcards: true }, async (store, { topic, from, to }) => {
    const units = new Map((await store.topics()).map((t) => [t.topic, t.unit]));
    const topics = (await resolveTopics(store, topic)).map((t) => ({ topic: t, unit: units.get(t) ?? "" }));
    // Counted before the first row goes out, since headers cannot follow the body; no further than the limit.
    let rows = 0;
    for (const t of topics) {
      stopIfGone(signal);
      rows += rows > MAX_RAW_ROWS ? 0 : await store.countRaw({ ...t, from, to, limit: MAX_RAW_ROWS + 1 - rows });
    }
    stopIfGone(signal);
    const body = rawCsvStream(store, { topics, from, to, maxRows: MAX_RAW_ROWS, filter: topic, zone, signal });
    return csvResponse(body, csvFileName(topic, from, to, "-raw"), {
      "X-Hearth-Truncated": rows > MAX_RAW_ROWS ? `more than ${MAX_RAW_ROWS} rows; export a shorter range` : "no",
    });
  });
}
