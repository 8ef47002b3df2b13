"use client";

// The signed-in user's name and role for client components: a toggle is disabled
// for a viewer (the broker refuses their publishes anyway; this is the UI saying so).
import { createContext, useContext, type ReactNode } from "react";
import { roleAtLeast, type Role } from "@/lib/auth/roles";

export type ClientUser = { username: string; role: Role };

const UserContext = createContext<ClientUser | null>(null);

export function UserProvider({ user, children }: { user: ClientUser; children: ReactNode }) {
  return <UserContext.Provider value={user}>{children}</UserContext.Provider>;
}

/** The signed-in user; null only outside the signed-in layout (login, onboarding). */
export function useUser(): ClientUser | null {
  return useContext(UserContext);
}

/** May the signed-in user switch devices (publish to …/set)? */
export function useCanOperate(): boolean {
  const user = useUser();
  return user !== null && roleAtLeast(user.role, "operator");
}
