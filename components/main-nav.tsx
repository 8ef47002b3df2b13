import Link from "next/link";

/** The header's page links; server-rendered, no client JavaScript. */
export function MainNav() {
  return (
    <nav aria-label="Main" className="flex items-center gap-4 text-sm">
      <Link href="/" className="hover:underline">
        Rooms
      </Link>
      <Link href="/readings/home/%2B/temperature" className="hover:underline">
        Temperatures
      </Link>
      <Link href="/explorer" className="hover:underline">
        Explorer
      </Link>
      <Link href="/settings/storage" className="hover:underline">
        Storage
      </Link>
    </nav>
  );
}
