// GET /api/history/raw?topic=…&from=…&to=…&tz=… — the raw readings of a range as CSV, for
// every topic a filter names. Raw readings exist only inside the raw window
// (HEARTH_RETENTION_HOURS); older ranges export the roll-ups via /api/history/csv.
// The file streams as it is read (lib/history/csv-stream.ts).
import { csvFileName } from "@/lib/history/csv";
import { rawCsvStream } from "@/lib/history/csv-stream";
import { exportTimeZone } from "@/lib/history/csv-time";
import { csvResponse, errorResponse } from "@/lib/history/request";
import { resolveTopics, serveHistory } from "@/lib/history/serve";

export const dynamic = "force-dynamic";

/** 48 h of a sensor publishing once a second is 172,800 rows; this bounds one export's time, not its memory. */
const MAX_ROWS = 1_000_000;

export async function GET(request: Request): Promise<Response> {
  const zone = exportTimeZone(new URL(request.url).searchParams);
  if (zone === null) return errorResponse("bad-time-zone", "tz: must name a time zone, such as Europe/Berlin or UTC", 400);
  return serveHistory(request, { allowWildcards: true }, async (store, { topic, from, to }) => {
    const units = new Map((await store.topics()).map((t) => [t.topic, t.unit]));
    const topics = (await resolveTopics(store, topic)).map((t) => ({ topic: t, unit: units.get(t) ?? "" }));
    // Counted before the first row goes out, since headers cannot follow the body; no further than the limit.
    let rows = 0;
    for (const t of topics) rows += rows > MAX_ROWS ? 0 : await store.countRaw({ ...t, from, to, limit: MAX_ROWS + 1 - rows });
    const body = rawCsvStream(store, { topics, from, to, maxRows: MAX_ROWS, filter: topic, zone });
    return csvResponse(body, csvFileName(topic, from, to, "-raw"), {
      "X-Hearth-Truncated": rows > MAX_ROWS ? `more than ${MAX_ROWS} rows; export a shorter range` : "no",
    });
  });
}
