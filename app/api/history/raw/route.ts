// GET /api/history/raw?topic=…&from=…&to=…&tz=… — the raw readings of a range as CSV, for
// every topic a filter names. Raw readings exist only inside the raw window
// (HEARTH_RETENTION_HOURS); older ranges export the roll-ups via /api/history/csv.
import { csvFileName, csvHeader, rawRows } from "@/lib/history/csv";
import { exportTimeZone } from "@/lib/history/csv-time";
import { csvResponse, errorResponse } from "@/lib/history/request";
import { resolveTopics, serveHistory } from "@/lib/history/serve";

export const dynamic = "force-dynamic";

/** 48 h of a sensor publishing once a second is 172,800 rows; this bounds one export. */
const MAX_ROWS = 1_000_000;

export async function GET(request: Request): Promise<Response> {
  const zone = exportTimeZone(new URL(request.url).searchParams);
  if (zone === null) return errorResponse("bad-time-zone", "tz: must name a time zone, such as Europe/Berlin or UTC", 400);
  return serveHistory(request, { allowWildcards: true }, async (store, { topic, from, to }) => {
    const topics = await resolveTopics(store, topic);
    const units = new Map((await store.topics()).map((t) => [t.topic, t.unit]));
    // One header for the whole file.
    const parts: string[] = [`${csvHeader("raw", zone)}\r\n`];
    let remaining = MAX_ROWS;
    let truncated = false;
    for (const t of topics) {
      let readings = await store.readRaw({ topic: t, from, to, limit: remaining + 1 });
      if (readings.length > remaining) {
        truncated = true;
        readings = readings.slice(0, remaining);
      }
      remaining -= readings.length;
      parts.push(rawRows(t, units.get(t) ?? "", readings, zone));
      if (truncated) break;
    }
    return csvResponse(parts.join(""), csvFileName(topic, from, to, "-raw"), {
      "X-Hearth-Truncated": truncated ? `more than ${MAX_ROWS} rows; export a shorter range` : "no",
    });
  });
}
