// GET /api/session: who is signed in. proxy.ts answers 401 before this runs when
// no one is; the live connection asks here when the hub closes it, to tell an
// ended session (go to the login page) from a network blip (retry).
import { currentUser } from "@/lib/auth/current-user";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const user = await currentUser();
  if (user === null) {
    return Response.json({ error: { code: "unauthenticated", message: "log in first" } }, { status: 401 });
  }
  return Response.json({ username: user.username, role: user.role }, { headers: { "Cache-Control": "no-store" } });
}
