// The ONE place alert mutations ask "may this person do that?". Every route
// handler that changes alert state (create, edit, test and delete a rule;
// acknowledge; snooze) calls `requireRole` as its first line and returns the
// Response it gives back, if any.
//
// Accounts and roles arrive with issue 3 on another branch. Until they are merged
// no accounts exist, so everyone is allowed. When issue 3 merges, this body is
// replaced by the session lookup: no session → 401 `unauthenticated`; a role below
// the one asked for → 403 `forbidden` (viewer < operator < admin).
export type Role = "viewer" | "operator" | "admin";

export async function requireRole(role: Role): Promise<Response | null> {
  void role; // no accounts yet (issue 3): allowed
  return null;
}
