import Link from "next/link";

/** The header's title and page links. */
export function SiteNav() {
  return (
    <nav aria-label="Pages" className="flex items-baseline gap-5">
      <Link href="/" className="text-lg font-bold tracking-tight">
        Hearth
      </Link>
      <Link href="/alerts" className="text-sm font-medium text-muted hover:text-ink">
        Alerts
      </Link>
    </nav>
  );
}
