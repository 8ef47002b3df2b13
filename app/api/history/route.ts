// GET /api/history?topic=home/attic/temperature&from=<ms>&to=<ms>&points=<n>
// One chart series: at most `points` points (about the chart's width in pixels),
// raw while they fit, else min/mean/max buckets from the tier that fits the range.
import { jsonResponse } from "@/lib/history/request";
import { serveHistory } from "@/lib/history/serve";

// Every answer reads the live store; nothing here may be prerendered or cached.
export const dynamic = "force-dynamic";

export function GET(request: Request): Promise<Response> {
  return serveHistory(request, { allowWildcards: false }, async (store, { topic, from, to, points }) => {
    const series = await store.query({ topic, from, to, maxPoints: points });
    return jsonResponse({ ...series, serverNow: Date.now() }, 200);
  });
}
