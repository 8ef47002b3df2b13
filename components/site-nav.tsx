import Link from "next/link";
import { cn } from "@/lib/cn";
import { getT } from "@/lib/i18n/server";
import type { MessageKey } from "@/lib/i18n/en";

/** `only`: shown on phones (the bottom bar) or from `md` up (the header) alone. */
const LINKS: readonly { href: string; label: MessageKey; only?: "phone" | "wide" }[] = [
  { href: "/", label: "nav.home", only: "phone" },
  { href: "/alerts", label: "nav.alerts" },
  { href: "/readings/home/%2B/temperature", label: "nav.temperatures" },
  { href: "/explorer", label: "nav.explorer" },
  { href: "/settings/storage", label: "nav.storage" },
  { href: "/kiosk", label: "nav.kiosk", only: "wide" },
];

/**
 * The header's title and page links; server-rendered, no client JavaScript. On a
 * phone the links are a bar along the bottom edge, within thumb reach (issue 7);
 * from `md` up they sit in the header.
 */
export async function SiteNav() {
  const t = await getT();
  return (
    <div className="flex items-center gap-x-5">
      <Link href="/" className="flex min-h-11 items-center text-lg font-bold tracking-tight">
        {t("app.name")}
      </Link>
      <nav
        aria-label={t("nav.pages")}
        data-testid="site-nav"
        className="fixed inset-x-0 bottom-0 z-20 grid grid-cols-5 border-t border-line bg-canvas/95 pb-[env(safe-area-inset-bottom)] backdrop-blur md:static md:flex md:items-center md:gap-x-5 md:border-0 md:bg-transparent md:p-0"
      >
        {LINKS.map(({ href, label, only }) => (
          <Link
            key={href}
            href={href}
            className={cn(
              "flex min-h-12 items-center justify-center px-1 text-center text-[11px] leading-tight font-medium text-muted hover:text-ink md:min-h-11 md:px-0 md:text-sm",
              only === "phone" && "md:hidden",
              only === "wide" && "hidden md:flex",
            )}
          >
            {t(label)}
          </Link>
        ))}
      </nav>
    </div>
  );
}
