import Link from "next/link";

const LINKS = [
  { href: "/", label: "Rooms" },
  { href: "/readings/home/%2B/temperature", label: "Temperatures" },
  { href: "/explorer", label: "Explorer" },
  { href: "/settings/storage", label: "Storage" },
] as const;

/** The header's page links; server-rendered, no client JavaScript. */
export function MainNav() {
  return (
    <nav aria-label="Main" className="flex items-center gap-4 text-sm">
      {LINKS.map(({ href, label }) => (
        <Link key={href} href={href} className="hover:underline">
          {label}
        </Link>
      ))}
    </nav>
  );
}
