// The ONE place alert mutations ask "may this person do that?". Every route
// handler that changes alert state (create, edit, test and delete a rule;
// acknowledge; snooze) calls `requireRole` as its first line and returns the
// Response it gives back, if any. proxy.ts already refuses requests without a
// session; this check is the one that knows roles (viewer < operator < admin).
import { currentUser } from "../auth/current-user";
import { roleAtLeast, type Role } from "../auth/roles";

export async function requireRole(role: Role): Promise<Response | null> {
  const user = await currentUser();
  if (user === null) {
    return Response.json({ error: { code: "unauthenticated", message: "sign in first" } }, { status: 401 });
  }
  if (!roleAtLeast(user.role, role)) {
    return Response.json(
      { error: { code: "forbidden", message: `this needs the ${role} role; ${user.username} is a ${user.role}` } },
      { status: 403 },
    );
  }
  return null;
}
