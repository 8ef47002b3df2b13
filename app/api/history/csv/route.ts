// GET /api/history/csv?topic=…&from=…&to=…&points=…&tz=… — what a chart shows, as CSV:
// the same query as /api/history/series, so the file holds exactly the chart's points,
// streamed a series at a time (lib/history/csv-stream.ts); times in the zone `tz`
// names (the viewer's), UTC without it. Every topic the filter matches, also past the
// 24 a chart draws (review-16 F12); each series is within the chart's point budget.
import { csvFileName } from "@/lib/history/csv";
import { seriesCsvStream } from "@/lib/history/csv-stream";
import { exportTimeZone } from "@/lib/history/csv-time";
import { csvResponse, errorResponse } from "@/lib/history/request";
import { resolveTopics, serveHistory } from "@/lib/history/serve";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const zone = exportTimeZone(new URL(request.url).searchParams);
  if (zone === null) return errorResponse("bad-time-zone", "tz: must name a time zone, such as Europe/Berlin or UTC", 400);
  return serveHistory(request, { allowWildcards: true }, async (store, req) => {
    const topics = await resolveTopics(store, req.topic);
    const body = seriesCsvStream(topics, (topic) => store.query({ topic, from: req.from, to: req.to, maxPoints: req.points }), zone, request.signal);
    return csvResponse(body, csvFileName(req.topic, req.from, req.to));
  });
}
