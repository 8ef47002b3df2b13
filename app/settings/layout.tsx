import Link from "next/link";
import type { ReactNode } from "react";
import { requireRole } from "@/lib/auth/current-user";
import { getT } from "@/lib/i18n/server";

export const dynamic = "force-dynamic";

/** Settings are the admin's: anyone else is sent back to the dashboard. */
export default async function SettingsLayout({ children }: { children: ReactNode }) {
  await requireRole("admin");
  const t = await getT();
  return (
    <div className="mx-auto max-w-3xl">
      <nav aria-label={t("settings.nav")} className="mb-6 flex gap-4 text-sm font-medium">
        <Link href="/settings" className="hover:underline">
          {t("settings.title")}
        </Link>
        <Link href="/settings/users" className="hover:underline">
          {t("settings.users")}
        </Link>
        <Link href="/settings/devices" className="hover:underline">
          {t("settings.devices")}
        </Link>
      </nav>
      {children}
    </div>
  );
}
