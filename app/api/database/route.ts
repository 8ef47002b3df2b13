// GET /api/database: whether the hub's PostgreSQL answers (issue 14), for the notice
// on every page; `{ status: null }` when the hub keeps everything in SQLite.
import { getHub } from "@/lib/hub-link";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const status = (await getHub()?.database.status()) ?? null;
  return Response.json({ status }, { headers: { "Cache-Control": "no-store" } });
}
