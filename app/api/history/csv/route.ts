// GET /api/history/csv?topic=…&from=…&to=…&points=… — what a chart shows, as CSV:
// the same query as /api/history/series, so the file holds exactly the chart's points.
import { csvFileName, seriesToCsv } from "@/lib/history/csv";
import { csvResponse } from "@/lib/history/request";
import { querySeries, serveHistory } from "@/lib/history/serve";

export const dynamic = "force-dynamic";

export function GET(request: Request): Promise<Response> {
  return serveHistory(request, { allowWildcards: true }, async (store, req) => {
    const body = seriesToCsv(await querySeries(store, req));
    return csvResponse(body, csvFileName(req.topic, req.from, req.to));
  });
}
