"use client";

import { useEffect, useState } from "react";
import { useNow } from "@/components/use-now";
import { useLocale, useT } from "@/components/use-t";
import { cn } from "@/lib/cn";
import { formatMoment } from "@/lib/format";
import type { UpstreamStatus } from "@/lib/upstream-status";

/** How often the page asks: an outage shows within this, and asking costs the hub one message. */
const POLL_MS = 5_000;

/**
 * "Broker unreachable since 14:05" while the hub cannot reach HEARTH_MQTT_URL's broker
 * (issue 14). The page's own connection to Hearth may be fine meanwhile, so the
 * connection indicator cannot say it; nothing new arrives until the broker is back.
 * Rendered only with an upstream broker (app/layout.tsx).
 */
export function UpstreamNotice({ server, className }: { server: string; className?: string }) {
  const t = useT();
  const locale = useLocale();
  const now = useNow(60_000);
  const [status, setStatus] = useState<UpstreamStatus | null>(null);
  useEffect(() => {
    let disposed = false;
    const load = async () => {
      try {
        const response = await fetch("/api/upstream", { cache: "no-store" });
        if (response.ok && !disposed) setStatus(((await response.json()) as { status: UpstreamStatus | null }).status);
      } catch {
        // Hearth itself is unreachable: the stale notice and the connection indicator say so.
      }
    };
    void load();
    const timer = setInterval(load, POLL_MS);
    return () => {
      disposed = true;
      clearInterval(timer);
    };
  }, []);
  if (status === null || now === null || (status.state !== "unreachable" && status.state !== "refused")) return null;
  const time = formatMoment(status.since, now, locale);
  return (
    <p
      data-testid="upstream-state"
      data-state={status.state}
      data-code={status.code ?? undefined}
      role="status"
      title={t("upstream.explain", { server: status.server || server, message: status.message ?? "" })}
      className={cn("rounded-full bg-warn/15 px-3 py-1 font-semibold text-warn", className)}
    >
      {t(status.state === "refused" ? "upstream.refused" : "upstream.unreachable", { time })}
    </p>
  );
}
