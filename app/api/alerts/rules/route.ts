// GET /api/alerts/rules: every rule. POST: create one (admin); the body is a rule
// without an id (one is made from the name) or with a new one.
import { alertService, json, readRequest, resultResponse } from "@/lib/alerts/api";
import { requireRole } from "@/lib/alerts/guard";
import { ruleInputSchema } from "@/lib/alerts/rule";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const service = alertService();
  if (service instanceof Response) return service;
  return json({ rules: await service.rules() });
}

export async function POST(request: Request): Promise<Response> {
  const denied = await requireRole("admin");
  if (denied) return denied;
  const req = await readRequest(request, ruleInputSchema);
  if (req instanceof Response) return req;
  const { service, body: input } = req;
  return resultResponse(await service.createRule(input), 201);
}
