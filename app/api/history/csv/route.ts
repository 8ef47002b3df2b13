// GET /api/history/csv?topic=…&from=…&to=…&points=… — what a chart shows, as CSV:
// the same query as /api/history/series, so the file holds exactly the chart's points,
// streamed a series at a time (lib/history/csv-stream.ts).
import { csvFileName } from "@/lib/history/csv";
import { seriesCsvStream } from "@/lib/history/csv-stream";
import { csvResponse } from "@/lib/history/request";
import { resolveTopics, serveHistory } from "@/lib/history/serve";

export const dynamic = "force-dynamic";

export function GET(request: Request): Promise<Response> {
  return serveHistory(request, { allowWildcards: true }, async (store, req) => {
    const topics = await resolveTopics(store, req.topic);
    const body = seriesCsvStream(topics, (topic) => store.query({ topic, from: req.from, to: req.to, maxPoints: req.points }));
    return csvResponse(body, csvFileName(req.topic, req.from, req.to));
  });
}
