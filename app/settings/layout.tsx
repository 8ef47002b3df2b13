import type { ReactNode } from "react";
import { LiveScope } from "@/components/live-scope";
import { SettingsNav } from "@/components/settings-nav";
import { requireRoleOrRedirect } from "@/lib/auth/current-user";
import { getT } from "@/lib/i18n/server";
import { NO_READINGS } from "@/lib/live-scope";

export const dynamic = "force-dynamic";

/** Settings are the admin's: anyone else is sent back to the dashboard. */
export default async function SettingsLayout({ children }: { children: ReactNode }) {
  await requireRoleOrRedirect("admin");
  const t = await getT();
  return (
    <div className="mx-auto max-w-3xl">
      {/* No settings page shows a live reading (issue 13): the header's alerts come on hearth/alerts/#. */}
      <LiveScope filters={[...NO_READINGS]} />
      <SettingsNav
        label={t("settings.nav")}
        links={[
          { href: "/settings", text: t("settings.title") },
          { href: "/settings/users", text: t("settings.users") },
          { href: "/settings/devices", text: t("settings.devices") },
          { href: "/settings/storage", text: t("nav.storage") },
        ]}
      />
      {children}
    </div>
  );
}
