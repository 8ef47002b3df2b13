"use client";

import { useEffect, useState } from "react";
import { SEVERITY_LABEL } from "@/components/severity";
import { TimeAgo } from "@/components/time-ago";
import { useAlerts } from "@/components/use-alerts";
import { callAlertsApi } from "@/lib/alerts/client";
import type { AlertHistoryEntry } from "@/lib/alerts/store";
import { topicLabel } from "@/lib/alerts/view";
import { formatValue } from "@/lib/format";

const KIND_LABEL: Record<AlertHistoryEntry["kind"], string> = {
  fired: "Fired",
  resolved: "Resolved",
  acknowledged: "Acknowledged",
  snoozed: "Snoozed",
  "snooze-ended": "Snooze ended",
};

const LIMIT = 50;

/** The newest alert events; fetched again whenever any alert changes, so it follows the hub live. */
export function AlertHistory({ initial }: { initial: AlertHistoryEntry[] }) {
  const alerts = useAlerts();
  const [events, setEvents] = useState(initial);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    void callAlertsApi<{ events: AlertHistoryEntry[] }>(`/history?limit=${LIMIT}`, "GET").then((result) => {
      if (cancelled) return;
      if (result.ok) {
        setEvents(result.value.events);
        setError(null);
      } else setError(result.message);
    });
    return () => {
      cancelled = true;
    };
  }, [alerts]);

  return (
    <div>
      {error && <p className="mb-2 text-sm text-danger">Could not refresh the history: {error}</p>}
      {events.length === 0 ? (
        <p data-testid="no-alert-history" className="text-muted">
          No alert has fired yet.
        </p>
      ) : (
        <ol data-testid="alert-history" className="divide-y divide-line rounded-xl border border-line bg-surface text-sm">
          {events.map((event) => (
            <li
              key={event.id}
              data-kind={event.kind}
              data-rule={event.ruleId}
              data-topic={event.topic}
              className="flex flex-wrap items-baseline gap-x-3 px-4 py-2"
            >
              <span className="w-28 font-semibold">{KIND_LABEL[event.kind]}</span>
              <span>
                {event.ruleName} <span className="text-muted">({SEVERITY_LABEL[event.severity].toLowerCase()})</span>
              </span>
              <span className="text-muted">
                {topicLabel(event.topic)}
                {event.value !== null && ` at ${formatValue(event.value)}`}
                {event.reason === "offline" && " (offline)"}
                {event.reason === "silent" && " (silent)"}
                {event.notified === false && " · not notified (rate limit or snooze)"}
              </span>
              <TimeAgo at={event.at} className="ml-auto text-muted" />
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
