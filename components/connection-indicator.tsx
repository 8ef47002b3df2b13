"use client";

import { useConnection } from "@/components/use-connection";
import { cn } from "@/lib/cn";
import type { ConnectionStatus } from "@/lib/live-store";

const DOT: Record<ConnectionStatus, string> = {
  connecting: "bg-warn animate-pulse",
  connected: "bg-ok",
  reconnecting: "bg-warn animate-pulse",
  offline: "bg-danger",
};

/** "Live", "Reconnecting… (attempt 3)" or "Offline", announced politely when it changes. */
export function ConnectionIndicator() {
  const { status, attempt } = useConnection();
  return (
    <div
      data-testid="connection"
      data-status={status}
      role="status"
      aria-live="polite"
      className="flex items-center gap-2 text-sm font-medium"
    >
      <span aria-hidden className={cn("size-2.5 shrink-0 rounded-full", DOT[status])} />
      {status === "connected" && "Live"}
      {status === "connecting" && "Connecting…"}
      {status === "offline" && "Offline"}
      {status === "reconnecting" && (
        <span>
          Reconnecting…
          {/* Hidden from screen readers, so each retry is not announced anew. */}
          {attempt > 0 && <span aria-hidden> (attempt {attempt})</span>}
        </span>
      )}
    </div>
  );
}
