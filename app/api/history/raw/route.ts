// GET /api/history/raw?topic=…&from=…&to=…&tz=… — the raw readings of a range as CSV, for
// every topic a filter names. Raw readings exist only inside the raw window
// (HEARTH_RETENTION_HOURS); older ranges export the roll-ups via /api/history/csv.
// The file streams as it is read, and stops when the client goes away (lib/history/raw-export.ts).
import { exportRaw } from "@/lib/history/raw-export";
import { getHub } from "@/lib/hub-link";

export const dynamic = "force-dynamic";

export function GET(request: Request): Promise<Response> {
  return exportRaw(getHub()?.history ?? null, request);
}
