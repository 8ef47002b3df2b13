// GET /api/history/series?topic=home/+/temperature&from=<ms>&to=<ms>&points=<n>
// Every topic a filter names (or the one topic), each as a series on the same range
// and budget, so one chart draws them together. The JSON is written as bytes while the
// rows are read (lib/history/series-json.ts): no object per point (issue 13).
import { jsonBytesResponse } from "@/lib/history/request";
import { createSeriesJson } from "@/lib/history/series-json";
import { readSeriesInto, serveHistory } from "@/lib/history/serve";

export const dynamic = "force-dynamic";

export function GET(request: Request): Promise<Response> {
  return serveHistory(request, { allowWildcards: true }, async (store, req) => {
    const json = createSeriesJson();
    await readSeriesInto(store, req, json);
    return jsonBytesResponse(json.finish(Date.now()), 200);
  });
}
