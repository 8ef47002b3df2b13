// POST /api/alerts/ack { ruleId, topic }: acknowledge a firing alert (operator).
import { alertService, readBody, resultResponse } from "@/lib/alerts/api";
import { alertRefSchema } from "@/lib/alerts/requests";
import { requireRole } from "@/lib/alerts/guard";

export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  const denied = await requireRole("operator");
  if (denied) return denied;
  const service = alertService();
  if (service instanceof Response) return service;
  const body = await readBody(request, alertRefSchema);
  if (body instanceof Response) return body;
  return resultResponse(await service.acknowledge(body.ruleId, body.topic));
}
