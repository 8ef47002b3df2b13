// POST /api/alerts/snooze { ruleId, topic, minutes }: quiet an alert for a while (operator).
import { alertService, readBody, resultResponse } from "@/lib/alerts/api";
import { snoozeSchema } from "@/lib/alerts/requests";
import { requireRole } from "@/lib/alerts/guard";

export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  const denied = await requireRole("operator");
  if (denied) return denied;
  const service = alertService();
  if (service instanceof Response) return service;
  const body = await readBody(request, snoozeSchema);
  if (body instanceof Response) return body;
  return resultResponse(await service.snooze(body.ruleId, body.topic, Date.now() + body.minutes * 60_000));
}
