// GET /api/topics — every topic the broker has carried, for the explorer: last
// payload, message rate, retained flag, and whether it has history to chart.
// GET /api/topics?topic=… — that topic's last payload in full, for the payload view.
import { getHub } from "@/lib/hub-link";
import { errorResponse, jsonResponse } from "@/lib/history/request";
import { createLogger } from "@/lib/log";

export const dynamic = "force-dynamic";

const log = createLogger("api/topics");

export async function GET(request: Request): Promise<Response> {
  const hub = getHub();
  if (hub === null) return errorResponse("hub-unavailable", "the hub is not running in this process", 503);
  const one = new URL(request.url).searchParams.get("topic");
  if (one !== null) {
    const payload = await hub.topics.payload(one);
    if (payload === null) return errorResponse("topic-not-found", "the broker has not carried this topic since the hub started", 404);
    return jsonResponse({ ...payload, serverNow: Date.now() }, 200);
  }
  try {
    const now = Date.now();
    const withHistory = new Set((await hub.history.topics()).map((t) => t.topic));
    const topics = (await hub.topics.snapshot(now)).map((s) => ({ ...s, hasHistory: withHistory.has(s.topic) }));
    return jsonResponse({ topics, overflow: await hub.topics.overflow(), serverNow: now }, 200);
  } catch (error) {
    log.error("topic listing failed", { error: error instanceof Error ? error.message : String(error) });
    return errorResponse("topics-failed", "the hub could not list its topics; see the hub's log", 500);
  }
}
