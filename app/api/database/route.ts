// GET /api/database: whether the hub's PostgreSQL answers (issue 14), for the notice
// on every page; `{ status: null }` when the hub keeps everything in SQLite. Public
// (proxy.ts): the login page shows the notice too, and must see an outage end. A
// signed-out visitor gets only state, since and code: the message names the database.
import { currentUser } from "@/lib/auth/current-user";
import { getHub } from "@/lib/hub-link";
import { publicDatabaseStatus } from "@/lib/pg/public-status";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const status = (await getHub()?.database.status()) ?? null;
  const shown = status !== null && (await currentUser()) === null ? publicDatabaseStatus(status) : status;
  return Response.json({ status: shown }, { headers: { "Cache-Control": "no-store" } });
}
