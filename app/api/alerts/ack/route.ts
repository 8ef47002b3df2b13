// POST /api/alerts/ack { ruleId, topic }: acknowledge a firing alert (operator).
import { readRequest, resultResponse } from "@/lib/alerts/api";
import { alertRefSchema } from "@/lib/alerts/requests";
import { requireRole } from "@/lib/alerts/guard";

export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  const denied = await requireRole("operator");
  if (denied) return denied;
  const req = await readRequest(request, alertRefSchema);
  if (req instanceof Response) return req;
  const { service, body } = req;
  return resultResponse(await service.acknowledge(body.ruleId, body.topic));
}
