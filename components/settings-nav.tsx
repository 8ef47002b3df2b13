"use client";

// The settings menu, marking the page you are on (issue 15).
import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/lib/cn";

export function SettingsNav({ label, links }: { label: string; links: readonly { href: string; text: string }[] }) {
  const pathname = usePathname();
  return (
    <nav aria-label={label} className="mb-6 flex gap-1 border-b border-line text-sm font-medium">
      {links.map((link) => {
        const current = pathname === link.href;
        return (
          <Link prefetch={false}
            key={link.href}
            href={link.href}
            aria-current={current ? "page" : undefined}
            className={cn("-mb-px border-b-2 px-3 py-2", current ? "border-accent text-ink" : "border-transparent text-muted hover:text-ink")}
          >
            {link.text}
          </Link>
        );
      })}
    </nav>
  );
}
