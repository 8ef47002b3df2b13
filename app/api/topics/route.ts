// GET /api/topics — every topic the broker has carried, for the explorer: last
// payload, message rate, retained flag, and whether it has history to chart.
import { getHub } from "@/lib/hub-link";
import { errorResponse, jsonResponse } from "@/lib/history/request";
import { createLogger } from "@/lib/log";

export const dynamic = "force-dynamic";

const log = createLogger("api/topics");

export async function GET(): Promise<Response> {
  const hub = getHub();
  if (hub === null) return errorResponse("hub-unavailable", "the hub is not running in this process", 503);
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
