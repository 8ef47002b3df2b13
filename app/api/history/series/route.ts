// GET /api/history/series?topic=home/+/temperature&from=<ms>&to=<ms>&points=<n>
// Every topic a filter names (or the one topic), each as a series on the same range
// and budget, so one chart draws them together.
import { jsonResponse } from "@/lib/history/request";
import { querySeries, serveHistory } from "@/lib/history/serve";

export const dynamic = "force-dynamic";

export function GET(request: Request): Promise<Response> {
  return serveHistory(request, { allowWildcards: true }, async (store, req) =>
    jsonResponse({ series: await querySeries(store, req), serverNow: Date.now() }, 200),
  );
}
