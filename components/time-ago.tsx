"use client";

import { useClock } from "@/components/use-now";
import { useLocale } from "@/components/use-t";
import { formatTimeAgo } from "@/lib/format";

/** "12 s ago", kept current by the shared one-second clock. */
export function TimeAgo({ at, className }: { at: number; className?: string }) {
  const locale = useLocale();
  // Re-renders only when the words change; empty until hydrated, since the server's
  // clock would print a different age than the browser's.
  const label = useClock(1000, (now) => formatTimeAgo(at, now, locale));
  return (
    <time dateTime={new Date(at).toISOString()} className={className}>
      {label ?? ""}
    </time>
  );
}
