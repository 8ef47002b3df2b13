// GET /api/upstream — the hub's connection to HEARTH_MQTT_URL's broker (issue 14), for
// the header's "broker unreachable since 14:05": { status: UpstreamStatus | null }, null
// when Hearth is the broker itself. proxy.ts answers 401 before this when no one is signed in.
import { getHub } from "@/lib/hub-link";
import { errorResponse, jsonResponse } from "@/lib/history/request";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const hub = getHub();
  if (hub === null) return errorResponse("hub-unavailable", "the hub is not running in this process", 503);
  return jsonResponse({ status: await hub.upstream.status(), serverNow: Date.now() }, 200);
}
