import Link from "next/link";
import type { ReactNode } from "react";
import { requireRole } from "@/lib/auth/current-user";

export const dynamic = "force-dynamic";

/** Settings are the admin's: anyone else is sent back to the dashboard. */
export default async function SettingsLayout({ children }: { children: ReactNode }) {
  await requireRole("admin");
  return (
    <div className="mx-auto max-w-3xl">
      <nav aria-label="Settings" className="mb-6 flex gap-4 text-sm font-medium">
        <Link href="/settings" className="hover:underline">
          Settings
        </Link>
        <Link href="/settings/users" className="hover:underline">
          Users
        </Link>
        <Link href="/settings/devices" className="hover:underline">
          Device accounts
        </Link>
      </nav>
      {children}
    </div>
  );
}
