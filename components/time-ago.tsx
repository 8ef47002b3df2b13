"use client";

import { useNow } from "@/components/use-now";
import { useLocale } from "@/components/use-t";
import { formatTimeAgo } from "@/lib/format";

/** "12 s ago", kept current by the shared one-second clock. */
export function TimeAgo({ at, className }: { at: number; className?: string }) {
  const now = useNow(1000);
  const locale = useLocale();
  // Empty until hydrated: the server's clock would print a different age than the browser's.
  return (
    <time dateTime={new Date(at).toISOString()} className={className}>
      {now === null ? "" : formatTimeAgo(at, now, locale)}
    </time>
  );
}
