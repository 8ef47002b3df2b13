// PUT /api/alerts/rules/<id>: replace a rule (admin); its alerts start afresh.
// DELETE: delete it (admin); its retained alert states are cleared, its history kept.
import { alertService, readRequest, resultResponse } from "@/lib/alerts/api";
import { requireRole } from "@/lib/alerts/guard";
import { ruleInputSchema } from "@/lib/alerts/rule";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ id: string }> };

export async function PUT(request: Request, { params }: Context): Promise<Response> {
  const denied = await requireRole("admin");
  if (denied) return denied;
  const req = await readRequest(request, ruleInputSchema);
  if (req instanceof Response) return req;
  const { service, body: input } = req;
  const { id } = await params;
  return resultResponse(await service.updateRule(id, { ...input, id }));
}

export async function DELETE(_request: Request, { params }: Context): Promise<Response> {
  const denied = await requireRole("admin");
  if (denied) return denied;
  const service = alertService();
  if (service instanceof Response) return service;
  const { id } = await params;
  return resultResponse(await service.deleteRule(id));
}
