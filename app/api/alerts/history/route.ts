// GET /api/alerts/history?limit=&rule=&topic=: alert events, newest first.
import { z } from "zod";
import { alertService, alertsErrorResponse, json } from "@/lib/alerts/api";

export const dynamic = "force-dynamic";

const querySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  rule: z.string().min(1).optional(),
  topic: z.string().min(1).optional(),
});

export async function GET(request: Request): Promise<Response> {
  const service = alertService();
  if (service instanceof Response) return service;
  const params = new URL(request.url).searchParams;
  const parsed = querySchema.safeParse(Object.fromEntries(params));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return alertsErrorResponse("bad-request", `${issue.path.join(".")}: ${issue.message}`, 400);
  }
  const { limit, rule, topic } = parsed.data;
  return json({ events: await service.history({ limit, ruleId: rule, topic }) });
}
