// GET /api/alerts: every alert that is not ok, worst first.
import { alertService, json } from "@/lib/alerts/api";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const service = alertService();
  if (service instanceof Response) return service;
  return json({ alerts: await service.alerts() });
}
