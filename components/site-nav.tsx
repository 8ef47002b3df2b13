import Link from "next/link";

const LINKS = [
  { href: "/alerts", label: "Alerts" },
  { href: "/readings/home/%2B/temperature", label: "Temperatures" },
  { href: "/explorer", label: "Explorer" },
  { href: "/settings/storage", label: "Storage" },
] as const;

/** The header's title and page links; server-rendered, no client JavaScript. */
export function SiteNav() {
  return (
    <nav aria-label="Pages" className="flex flex-wrap items-baseline gap-x-5 gap-y-1">
      <Link href="/" className="text-lg font-bold tracking-tight">
        Hearth
      </Link>
      {LINKS.map(({ href, label }) => (
        <Link key={href} href={href} className="text-sm font-medium text-muted hover:text-ink">
          {label}
        </Link>
      ))}
    </nav>
  );
}
