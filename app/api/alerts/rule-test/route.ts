// POST /api/alerts/rule-test: a dry run of a rule (admin) against what every
// matching topic last said; nothing is stored, published or notified.
import { json, readRequest } from "@/lib/alerts/api";
import { requireRole } from "@/lib/alerts/guard";
import { ruleInputSchema } from "@/lib/alerts/rule";

export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  const denied = await requireRole("admin");
  if (denied) return denied;
  const req = await readRequest(request, ruleInputSchema);
  if (req instanceof Response) return req;
  const { service, body: input } = req;
  return json(await service.testRule(input));
}
