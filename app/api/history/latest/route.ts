// GET /api/history/latest — the newest stored reading of every topic. A page whose
// live subscription widens (a room page's, lib/live-scope.ts, back to the whole home)
// did not follow the other rooms meanwhile; this brings their values up to date at
// once instead of at each sensor's next reading (components/mqtt-provider.tsx).
import { errorResponse, jsonResponse } from "@/lib/history/request";
import { getHub } from "@/lib/hub-link";
import { createLogger } from "@/lib/log";

export const dynamic = "force-dynamic";

const log = createLogger("api/history/latest");

export async function GET(): Promise<Response> {
  const hub = getHub();
  if (hub === null) return errorResponse("hub-unavailable", "the hub is not running in this process", 503);
  try {
    return jsonResponse({ readings: await hub.history.latest() }, 200);
  } catch (error) {
    log.error("latest readings failed", { error: error instanceof Error ? error.message : String(error) });
    return errorResponse("latest-failed", "the hub could not read the latest readings; see the hub's log", 500);
  }
}
