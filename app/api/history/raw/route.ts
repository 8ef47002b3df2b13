// GET /api/history/raw?topic=…&from=…&to=… — the raw readings of a range as CSV, for
// every topic a filter names. Raw readings exist only inside the raw window
// (HEARTH_RETENTION_HOURS); older ranges export the roll-ups via /api/history/csv.
import { csvFileName, rawToCsv } from "@/lib/history/csv";
import { csvResponse } from "@/lib/history/request";
import { resolveTopics, serveHistory } from "@/lib/history/serve";

export const dynamic = "force-dynamic";

/** 48 h of a sensor publishing once a second is 172,800 rows; this bounds one export. */
const MAX_ROWS = 1_000_000;

export function GET(request: Request): Promise<Response> {
  return serveHistory(request, { allowWildcards: true }, async (store, { topic, from, to }) => {
    const topics = await resolveTopics(store, topic);
    const units = new Map((await store.topics()).map((t) => [t.topic, t.unit]));
    const parts: string[] = [];
    let remaining = MAX_ROWS;
    let truncated = false;
    for (const t of topics) {
      let readings = await store.readRaw({ topic: t, from, to, limit: remaining + 1 });
      if (readings.length > remaining) {
        truncated = true;
        readings = readings.slice(0, remaining);
      }
      remaining -= readings.length;
      const csv = rawToCsv(t, units.get(t) ?? "", readings);
      // One header for the whole file.
      parts.push(parts.length === 0 ? csv : csv.slice(csv.indexOf("\r\n") + 2));
      if (truncated) break;
    }
    return csvResponse(parts.join("") || rawToCsv(topic, "", []), csvFileName(topic, from, to, "-raw"), {
      "X-Hearth-Truncated": truncated ? `more than ${MAX_ROWS} rows; export a shorter range` : "no",
    });
  });
}
