// What the web thread changed about a user, as the hub thread hears it (HubApi
// sessions.forget): enough to tell, with no database to ask, which of the user's open
// /mqtt connections lose the rights they were opened with and must close now
// (closing-note-5: they used to wait for the 2 s sweep, which skips while the accounts'
// database is away).
import type { Role } from "./roles";

export type UserChange =
  | { kind: "role"; role: Role }
  | { kind: "deleted" }
  /** Every session of the user's ends but `keepSession` (the one changing its own password). */
  | { kind: "password"; keepSession?: string };

/** Whether a connection opened with this session and role keeps its rights after the change to its user. */
export function keepsRights(opened: { role: Role; sessionId: string }, change: UserChange): boolean {
  switch (change.kind) {
    case "role":
      return opened.role === change.role;
    case "deleted":
      return false;
    case "password":
      return opened.sessionId === change.keepSession;
  }
}
