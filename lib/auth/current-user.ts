// The signed-in user for server components, route handlers and server actions,
// read from the session cookie through the web thread's own accounts connection. Every server action that
// changes something calls requireRoleOrRedirect itself: the proxy is a first gate, not the
// only one (Next's data-security guide).
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { databaseFaultCode } from "../database-fault";
import { getHub } from "../hub-link";
import { roleAtLeast, type Role } from "./roles";
import { SESSION_COOKIE } from "./session-cookie";

export type SignedInUser = { username: string; role: Role; sessionId: string };

export async function currentUser(): Promise<SignedInUser | null> {
  const hub = getHub();
  if (hub === null) return null;
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token) return null;
  let session;
  try {
    session = await hub.accounts.sessionByToken(token);
  } catch (error) {
    // The accounts' database is away and this session was not seen before it went:
    // signed out for now; the login page says why (components/database-notice.tsx).
    if (databaseFaultCode(error) !== null) return null;
    throw error;
  }
  return session ? { username: session.username, role: session.role, sessionId: session.id } : null;
}

/** The signed-in user with at least `role`; others go to the login page (or home, when signed in). */
export async function requireRoleOrRedirect(role: Role): Promise<SignedInUser> {
  const user = await currentUser();
  if (user === null) redirect("/login");
  if (!roleAtLeast(user.role, role)) redirect("/");
  return user;
}
