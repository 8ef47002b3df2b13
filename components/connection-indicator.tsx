"use client";

import { useConnection } from "@/components/use-connection";
import { useT } from "@/components/use-t";
import { cn } from "@/lib/cn";
import type { ConnectionStatus } from "@/lib/live-store";

const DOT: Record<ConnectionStatus, string> = {
  connecting: "bg-warn animate-pulse",
  connected: "bg-ok",
  reconnecting: "bg-warn animate-pulse",
  offline: "bg-danger",
};

/** "Live", "Reconnecting… (attempt 3)" or "Offline", announced politely when it changes. */
export function ConnectionIndicator({ className }: { className?: string }) {
  const { status, attempt } = useConnection();
  const t = useT();
  return (
    <div
      data-testid="connection"
      data-status={status}
      role="status"
      aria-live="polite"
      className={cn("flex items-center gap-2 text-sm font-medium whitespace-nowrap", className)}
    >
      <span aria-hidden className={cn("size-2.5 shrink-0 rounded-full", DOT[status])} />
      {status === "connected" && t("connection.live")}
      {status === "connecting" && t("connection.connecting")}
      {status === "offline" && t("connection.offline")}
      {status === "reconnecting" && (
        <span>
          {t("connection.reconnecting")}
          {/* Hidden from screen readers, so each retry is not announced anew. */}
          {attempt > 0 && <span aria-hidden> {t("connection.attempt", { n: attempt })}</span>}
        </span>
      )}
    </div>
  );
}
