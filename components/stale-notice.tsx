"use client";

import { useLastLiveAt } from "@/components/last-live";
import { useConnection } from "@/components/use-connection";
import { useNow } from "@/components/use-now";
import { useLocale, useT } from "@/components/use-t";
import { cn } from "@/lib/cn";
import { formatMoment } from "@/lib/format";

/**
 * "As of 14:05" (or on the kiosk "Stale since 14:05") while the hub is unreachable:
 * the values on screen are the last known ones, never silently old (issue 7).
 * Hidden while connecting for the first time, which is not yet a failure.
 */
export function StaleNotice({ variant = "page", className }: { variant?: "page" | "kiosk"; className?: string }) {
  const t = useT();
  const locale = useLocale();
  const status = useConnection((c) => c.status);
  const lastLiveAt = useLastLiveAt();
  const now = useNow(60_000);
  if (status === "connected" || status === "connecting" || lastLiveAt === null || now === null) return null;
  const time = formatMoment(lastLiveAt, now, locale);
  return (
    <p
      data-testid="stale"
      data-since={lastLiveAt}
      role="status"
      title={t("stale.explain")}
      className={cn("rounded-full bg-warn/15 px-3 py-1 font-semibold text-warn", className)}
    >
      {t(variant === "kiosk" ? "stale.since" : "stale.asOf", { time })}
    </p>
  );
}
