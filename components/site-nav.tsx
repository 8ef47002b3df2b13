import Link from "next/link";
import { NavLinks, type NavLink } from "@/components/nav-links";
import type { Role } from "@/lib/auth/roles";
import { getT } from "@/lib/i18n/server";

/**
 * Phones get a bottom bar of six (issue 15): home, alerts, temperatures, explorer,
 * the wall display and, for admins, settings; Storage lives in the header from `md`
 * up and under Settings.
 */
function linksFor(role: Role): NavLink[] {
  return [
    { href: "/", label: "nav.home", icon: "home", only: "phone" },
    { href: "/alerts", label: "nav.alerts", icon: "alerts" },
    { href: "/readings/home/%2B/temperature", label: "nav.temperatures", icon: "chart" },
    { href: "/explorer", label: "nav.explorer", icon: "explorer" },
    ...(role === "admin" ? [{ href: "/settings/storage", label: "nav.storage", icon: "storage", only: "wide" } as const] : []),
    { href: "/kiosk", label: "nav.kiosk", icon: "kiosk" },
    ...(role === "admin" ? [{ href: "/settings", label: "nav.settings", icon: "settings", only: "phone", section: "/settings" } as const] : []),
  ];
}

/** The header's title and the page links (components/nav-links.tsx). */
export async function SiteNav({ role }: { role: Role }) {
  const t = await getT();
  return (
    <div className="flex items-center gap-x-5">
      <Link prefetch={false} href="/" className="flex min-h-11 items-center text-lg font-bold tracking-tight">
        {t("app.name")}
      </Link>
      <NavLinks links={linksFor(role)} />
    </div>
  );
}
