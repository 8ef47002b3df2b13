"use client";

// The page links (issue 15): along the bottom edge on a phone, with an icon each, in
// the header from `md` up; the current page is marked (aria-current) and Alerts
// carries the count of alerts still firing, acknowledged or not.
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useAlerts } from "@/components/use-alerts";
import { useT } from "@/components/use-t";
import { cn } from "@/lib/cn";
import type { MessageKey } from "@/lib/i18n/en";

export type NavIcon = "home" | "alerts" | "chart" | "explorer" | "kiosk" | "settings" | "storage";

export type NavLink = {
  href: string;
  label: MessageKey;
  icon: NavIcon;
  /** Shown on phones (the bottom bar) or from `md` up (the header) alone. */
  only?: "phone" | "wide";
  /** Other paths that are this page (the settings pages under /settings). */
  section?: string;
};

/** 24 × 24 outline icons, drawn with the text's colour. */
const ICONS: Record<NavIcon, string> = {
  home: "M3 11.5 12 4l9 7.5M5.5 9.5V20h4.5v-6h4v6h4.5V9.5",
  alerts: "M6 16.5V11a6 6 0 0 1 12 0v5.5l1.5 2h-15zM10 20.5a2 2 0 0 0 4 0",
  chart: "M4 19.5h16M5 16l4.5-5 3.5 3 6-7",
  explorer: "M4 5h6M7 5v14h6M7 12h6M15 9.5h5v5h-5zM15 16.5h5v5h-5zM15 2.5h5v5h-5z",
  kiosk: "M3.5 4.5h17v12h-17zM9 20.5h6M12 16.5v4",
  settings:
    "M12 9a3 3 0 1 0 0 6 3 3 0 0 0 0-6zM19.4 13.5l1.6 1.2-1.8 3.1-1.9-.7a7 7 0 0 1-1.6.9L15.4 20h-3.6l-.3-2a7 7 0 0 1-1.6-.9l-1.9.7-1.8-3.1 1.6-1.2a7 7 0 0 1 0-1.9L6.2 10.3 8 7.2l1.9.7a7 7 0 0 1 1.6-.9l.3-2h3.6l.3 2a7 7 0 0 1 1.6.9l1.9-.7 1.8 3.1-1.6 1.2a7 7 0 0 1 0 1.9z",
  storage: "M4 6c0-1.7 3.6-3 8-3s8 1.3 8 3-3.6 3-8 3-8-1.3-8-3zM4 6v12c0 1.7 3.6 3 8 3s8-1.3 8-3V6M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3",
};

function isCurrent(pathname: string, link: NavLink): boolean {
  const path = decodeURIComponent(link.href);
  if (link.href === "/") return pathname === "/";
  return pathname === path || pathname.startsWith(`${link.section ?? path}/`) || (link.section !== undefined && pathname === link.section);
}

/** How many alerts fire now, acknowledged or snoozed too: the banner hides those, the nav still counts them. */
function useFiringCount(): number {
  return useAlerts().filter((a) => a.status === "firing").length;
}

export function NavLinks({ links }: { links: readonly NavLink[] }) {
  const t = useT();
  const pathname = decodeURIComponent(usePathname() ?? "/");
  const firing = useFiringCount();
  return (
    <nav
      aria-label={t("nav.pages")}
      data-testid="site-nav"
      className="fixed inset-x-0 bottom-0 z-20 flex border-t border-line bg-canvas/95 pb-[env(safe-area-inset-bottom)] backdrop-blur md:static md:items-center md:gap-x-5 md:border-0 md:bg-transparent md:p-0"
    >
      {links.map((link) => {
        const current = isCurrent(pathname, link);
        const count = link.icon === "alerts" && firing > 0 ? firing : null;
        return (
          <Link prefetch={false}
            key={link.href}
            href={link.href}
            aria-current={current ? "page" : undefined}
            data-nav={link.icon}
            className={cn(
              "relative flex min-h-13 min-w-0 flex-1 flex-col items-center justify-center gap-0.5 px-0.5 text-center text-[11px] leading-tight font-medium text-muted hover:text-ink",
              "md:min-h-11 md:flex-none md:flex-row md:gap-1.5 md:px-0 md:text-sm",
              "aria-[current=page]:text-accent md:aria-[current=page]:text-ink md:aria-[current=page]:underline md:aria-[current=page]:decoration-accent md:aria-[current=page]:decoration-2 md:aria-[current=page]:underline-offset-8",
              link.only === "phone" && "md:hidden",
              link.only === "wide" && "hidden md:flex",
            )}
          >
            <svg aria-hidden viewBox="0 0 24 24" className="size-6 shrink-0 fill-none stroke-current stroke-[1.6] md:hidden" strokeLinecap="round" strokeLinejoin="round">
              <path d={ICONS[link.icon]} />
            </svg>
            <span className="max-w-full truncate">{t(link.label)}</span>
            {count !== null && (
              <span
                data-testid="nav-alert-count"
                aria-label={t("nav.alertCount", { n: count })}
                className="absolute top-1 left-1/2 ml-2 min-w-5 rounded-full bg-danger px-1 text-center text-xs leading-5 font-bold text-white md:static md:ml-0"
              >
                {count}
              </span>
            )}
          </Link>
        );
      })}
    </nav>
  );
}
