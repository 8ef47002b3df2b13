// POST /api/alerts/snooze { ruleId, topic, minutes }: quiet an alert for a while (operator).
import { readRequest, resultResponse } from "@/lib/alerts/api";
import { snoozeSchema } from "@/lib/alerts/requests";
import { requireRole } from "@/lib/alerts/guard";

export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  const denied = await requireRole("operator");
  if (denied) return denied;
  const req = await readRequest(request, snoozeSchema);
  if (req instanceof Response) return req;
  const { service, body } = req;
  return resultResponse(await service.snooze(body.ruleId, body.topic, Date.now() + body.minutes * 60_000));
}
